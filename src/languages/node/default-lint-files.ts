import type { Dirent } from 'node:fs';
import { lstat, readdir, readFile } from 'node:fs/promises';
import path from 'node:path';
import ignore, { type Ignore } from 'ignore';
import { realPathInside } from '../../workspace/real-path.js';
import type { JsSourceType } from './default-lint-config.js';

export interface JsFileLimits {
  /** Files past this count are not read (reported in the lint output, not linted). */
  maxFiles: number;
  /** A larger file is generated or vendored code, not something a change edits by hand. */
  maxFileBytes: number;
  /** Directory entries looked at before the walk stops: bounds a repository of a million files. */
  maxEntries: number;
}

export const DEFAULT_JS_FILE_LIMITS: JsFileLimits = {
  maxFiles: 5_000,
  maxFileBytes: 1024 * 1024,
  maxEntries: 200_000,
};

export interface JsSourceFile {
  /** Repo-relative, with forward slashes. */
  file: string;
  text: string;
  sourceType: JsSourceType;
}

export interface CollectedJsFiles {
  files: JsSourceFile[];
  /** What was left out and why, for the report's output. */
  skipped: string[];
}

const JS_FILE = /\.(?:js|cjs|mjs|jsx)$/;
const MINIFIED = /\.min\.(?:js|cjs|mjs)$/;
// A .gitignore larger than this is not a list of patterns someone wrote; it is read as empty.
const MAX_GITIGNORE_BYTES = 256 * 1024;
const MAX_DEPTH = 64;

/** The package's module kind for `.js` files: "type": "module" makes them ESM, as Node decides. */
async function packageType(projectDir: string): Promise<JsSourceType> {
  try {
    const text = await readFile(path.join(projectDir, 'package.json'), 'utf8');
    const pkg: unknown = JSON.parse(text);
    const type = typeof pkg === 'object' && pkg !== null ? Reflect.get(pkg, 'type') : undefined;
    return type === 'module' ? 'module' : 'commonjs';
  } catch {
    return 'commonjs';
  }
}

function sourceTypeOf(file: string, packageKind: JsSourceType): JsSourceType {
  if (file.endsWith('.cjs')) return 'commonjs';
  // JSX is compiled by a bundler, and bundlers expect ES modules whatever package.json says.
  if (file.endsWith('.mjs') || file.endsWith('.jsx')) return 'module';
  return packageKind;
}

/** A folder's .gitignore as rules relative to that folder; symlinks and oversized files are not read. */
async function gitignoreOf(dir: string): Promise<Ignore | undefined> {
  const file = path.join(dir, '.gitignore');
  const stat = await lstat(file).catch(() => undefined);
  if (!stat?.isFile() || stat.size > MAX_GITIGNORE_BYTES) return undefined;
  return ignore().add(await readFile(file, 'utf8'));
}

interface IgnoreScope {
  /** Folder the rules are relative to, repo-relative ('' for the root). */
  base: string;
  rules: Ignore;
}

function ignored(scopes: readonly IgnoreScope[], relative: string, isDir: boolean): boolean {
  return scopes.some((scope) => {
    const inner = scope.base === '' ? relative : path.posix.relative(scope.base, relative);
    return inner !== '' && !inner.startsWith('..') && scope.rules.ignores(isDir ? `${inner}/` : inner);
  });
}

/**
 * The project's JavaScript sources, read by autodev itself from the worktree: the files git would
 * commit (its .gitignore files, from the repo root down, are honoured, so build output and coverage
 * are not linted), never node_modules or dot-folders, never through a symlink, each one's real path
 * checked to lie inside the workspace. Bounded in files, bytes and entries walked.
 */
export async function collectJsFiles(
  workspaceDir: string,
  projectRoot: string,
  limits: JsFileLimits = DEFAULT_JS_FILE_LIMITS,
): Promise<CollectedJsFiles> {
  const realWorkspace = await realPathInside(workspaceDir, '.', { what: 'workspace' });
  const projectDir = await realPathInside(realWorkspace, projectRoot, { what: 'project root' });
  const packageKind = await packageType(projectDir);
  const scopes: IgnoreScope[] = [];
  const rootRelative = path.relative(realWorkspace, projectDir).split(path.sep).join('/');
  // The .gitignore files of the folders above the project apply to it too.
  const parts = rootRelative === '' ? [] : rootRelative.split('/');
  for (let i = 0; i < parts.length; i++) {
    const base = parts.slice(0, i).join('/');
    const rules = await gitignoreOf(path.join(realWorkspace, base));
    if (rules) scopes.push({ base, rules });
  }

  const files: JsSourceFile[] = [];
  const skipped: string[] = [];
  let entries = 0;
  let overCount = 0;
  const walk = async (relDir: string, depth: number, inherited: IgnoreScope[]): Promise<void> => {
    const absDir = path.join(realWorkspace, relDir);
    const own = await gitignoreOf(absDir);
    const active = own ? [...inherited, { base: relDir, rules: own }] : inherited;
    const list: Dirent[] = await readdir(absDir, { withFileTypes: true }).catch(() => []);
    list.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
    for (const entry of list) {
      if (++entries > limits.maxEntries) return;
      const relative = relDir === '' ? entry.name : `${relDir}/${entry.name}`;
      // Symlinks are never followed: their target may be anywhere on the host.
      if (entry.isSymbolicLink()) continue;
      if (entry.isDirectory()) {
        if (entry.name === 'node_modules' || entry.name.startsWith('.')) continue;
        if (depth >= MAX_DEPTH || ignored(active, relative, true)) continue;
        await walk(relative, depth + 1, active);
        continue;
      }
      if (!entry.isFile() || !JS_FILE.test(entry.name) || MINIFIED.test(entry.name)) continue;
      if (ignored(active, relative, false)) continue;
      if (files.length >= limits.maxFiles) {
        overCount++;
        continue;
      }
      const real = await realPathInside(realWorkspace, relative, { what: 'JavaScript file' }).catch(
        () => undefined,
      );
      const stat = real ? await lstat(real).catch(() => undefined) : undefined;
      if (!real || !stat?.isFile()) continue;
      if (stat.size > limits.maxFileBytes) {
        skipped.push(`${relative}: ${stat.size} bytes, over ${limits.maxFileBytes}`);
        continue;
      }
      const text = await readFile(real, 'utf8').catch(() => undefined);
      if (text !== undefined)
        files.push({ file: relative, text, sourceType: sourceTypeOf(relative, packageKind) });
    }
  };
  await walk(rootRelative, 0, scopes);
  if (overCount > 0) skipped.push(`${overCount} more file(s) past the cap of ${limits.maxFiles}`);
  if (entries > limits.maxEntries) skipped.push(`the walk stopped after ${limits.maxEntries} entries`);
  return { files, skipped };
}
