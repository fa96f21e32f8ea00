import { lstat, realpath } from 'node:fs/promises';
import path from 'node:path';
import { AutodevError } from '../../errors.js';

/**
 * Resolves a model-given path inside `dir`, refusing anything that would write elsewhere: absolute
 * paths, `..` escapes, symlinks (in the path or as the file), and `.git` (hooks there would run code).
 * Returns the absolute path to write and the normalized relative path to report.
 */
export async function resolveInside(
  dir: string,
  relative: string,
  context: string,
): Promise<{ absolute: string; relative: string }> {
  const refuse = (why: string): AutodevError =>
    new AutodevError('PATCH_FAILED', `${context}: refused path ${JSON.stringify(relative)}: ${why}`, {
      details: { path: relative },
    });

  if (relative.trim() === '' || relative.includes('\0')) throw refuse('empty or not a path');
  if (path.isAbsolute(relative) || /^[A-Za-z]:[\\/]/.test(relative) || relative.startsWith('\\')) {
    throw refuse('absolute paths are not allowed; give it relative to the repository root');
  }
  const normalized = path.posix.normalize(relative.replace(/\\/g, '/'));
  const segments = normalized.split('/');
  if (segments[0] === '..') throw refuse('it leaves the repository');
  if (segments[0] === '.git') throw refuse('the .git directory is not editable');

  const root = await realpath(dir);
  const absolute = path.join(root, normalized);
  // Every existing component must be a plain directory or file: a symlink could point out of the tree.
  let current = root;
  for (const segment of segments) {
    current = path.join(current, segment);
    const stat = await lstat(current).catch(() => undefined);
    if (stat === undefined) break;
    if (stat.isSymbolicLink()) throw refuse(`${path.relative(root, current)} is a symbolic link`);
  }
  return { absolute, relative: normalized };
}
