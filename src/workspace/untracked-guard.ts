import { lstat, rm } from 'node:fs/promises';
import path from 'node:path';
import type { WorkspaceGit } from './types.js';

/**
 * What the worktree holds outside git, as setup and the builds left it: each untracked file (ignored
 * ones included) by path, with what identifies its content without reading it.
 */
export type UntrackedSnapshot = ReadonlyMap<string, string>;

async function signature(file: string): Promise<string | undefined> {
  const stat = await lstat(file, { bigint: true }).catch(() => undefined);
  if (stat === undefined) return undefined;
  return `${stat.mode}:${stat.size}:${stat.mtimeNs}:${stat.ctimeNs}:${stat.ino}`;
}

/** Every untracked file of the worktree and its signature (mode, size, times, inode). */
export async function snapshotUntracked(git: WorkspaceGit, dir: string): Promise<UntrackedSnapshot> {
  const files = await git.untrackedFiles(dir);
  const entries = await Promise.all(
    files.map(async (file) => [file, await signature(path.join(dir, file))] as const),
  );
  return new Map(entries.filter((e): e is readonly [string, string] => e[1] !== undefined));
}

/**
 * Removes every untracked file that is not as `before` had it: added or rewritten since. The model's
 * commands may write anywhere in the worktree, and a file git does not track never shows in the diff
 * under review, yet the tests that judge it would load it: a `.pth` in a venv, a shim in
 * node_modules/.bin, a plugin beside an ignored conftest. What setup installed stays; what the model
 * added or changed goes, and the next run rebuilds it from the change. Returns the removed paths.
 */
export async function discardUntrackedChanges(
  git: WorkspaceGit,
  dir: string,
  before: UntrackedSnapshot,
): Promise<string[]> {
  const removed: string[] = [];
  for (const file of await git.untrackedFiles(dir)) {
    const full = path.join(dir, file);
    const now = await signature(full);
    if (now === undefined || before.get(file) === now) continue;
    await rm(full, { force: true });
    removed.push(file);
  }
  return removed;
}
