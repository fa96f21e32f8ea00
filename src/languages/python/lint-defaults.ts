import path from 'node:path';
import { parse as parseToml } from 'smol-toml';
import { exists, readText } from '../scan.js';
import type { Argv } from '../types.js';

/**
 * The rules ruff checks in a project that chose none: code that is broken or dead, never style.
 * E9 (syntax and I/O errors), F63 (invalid comparisons, asserts on tuples), F7 (statements in the
 * wrong place: `return` outside a function, `break` outside a loop), F82 (undefined names), F401
 * (unused imports), F841 (unused local variables). No import sorting (I), no RUF, no pycodestyle
 * layout: a project that wants those says so in its own configuration.
 */
export const RUFF_DEFAULT_SELECT = ['E9', 'F63', 'F7', 'F82', 'F401', 'F841'] as const;

// Ruff's cache lives in the project folder, which the sandboxed tests can write: a cache forged by
// the change's own test code (a clean result under the file's mtime) would hide its warnings.
const RUFF_BASE = ['ruff', 'check', '--no-cache', '--output-format=json'];

/** The files ruff reads its configuration from, nearest first, as ruff's own discovery does. */
const RUFF_CONFIG_FILES = ['.ruff.toml', 'ruff.toml'];

async function pyprojectHasRuff(file: string): Promise<boolean> {
  const text = await readText(file);
  if (text === undefined) return false;
  try {
    const tool = parseToml(text)['tool'];
    return typeof tool === 'object' && tool !== null && 'ruff' in tool;
  } catch {
    // A pyproject ruff cannot read either: ruff reports that itself, as a failed lint.
    return /^\s*\[tool\.ruff[\].]/m.test(text);
  }
}

/**
 * True when the project, or a folder above it inside the repo, configures ruff. Folders above the
 * repo do not count: they belong to whoever hosts the checkout, not to the repository.
 */
export async function hasRuffConfig(repoDir: string, root: string): Promise<boolean> {
  for (let dir = root; ; dir = path.posix.dirname(dir)) {
    const abs = path.join(repoDir, dir);
    for (const name of RUFF_CONFIG_FILES) if (await exists(path.join(abs, name))) return true;
    if (await pyprojectHasRuff(path.join(abs, 'pyproject.toml'))) return true;
    if (dir === '.') return false;
  }
}

/**
 * ruff with the repository's own configuration when it has one; otherwise `--isolated` (no
 * configuration from anywhere, including folders above the checkout and the user's) with the
 * modest default rules.
 */
export async function ruffCommand(repoDir: string, root: string): Promise<Argv> {
  if (await hasRuffConfig(repoDir, root)) return [...RUFF_BASE, '.'];
  return [...RUFF_BASE, '--isolated', `--select=${RUFF_DEFAULT_SELECT.join(',')}`, '.'];
}
