import { rm, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { AutodevError } from '../errors.js';
import { SYSTEM_TOOL_ENV } from '../sandbox/host-tool-env.js';
import { spawnCappedBytes } from '../sandbox/spawn-capped.js';
import type { WorkspaceGit } from './types.js';
import { processTempDir } from '../util/process-temp-dir.js';

/** A listing of a workspace's changed files; past it the listing is incomplete, so the round fails. */
const MAX_LISTING_BYTES = 256 * 1024 * 1024;
/** `find` over a 50k-file worktree takes well under a second; a hung filesystem must not hold the task. */
const LISTING_TIMEOUT_MS = 120_000;

/** A point in time on the filesystem's own clock: a file whose mtime later changes are compared with. */
export interface UntrackedMark {
  marker: string;
  /** Removes the marker; idempotent. */
  release(): Promise<void>;
}

/** Marks "now" before the model's commands run (a file outside every workspace). */
export async function markUntracked(): Promise<UntrackedMark> {
  const dir = processTempDir('autodev-round-');
  const marker = path.join(dir, 'mark');
  await writeFile(marker, '');
  return { marker, release: () => rm(dir, { recursive: true, force: true }) };
}

/**
 * Removes every untracked file (ignored ones included) whose inode changed after `mark`: added,
 * rewritten, renamed in, re-linked or re-timed. The model's commands may write anywhere in the
 * worktree, and a file git does not track never shows in the diff under review, yet the tests that
 * judge it would load it: a `.pth` in a venv, a shim in node_modules/.bin, a gitignored conftest.py.
 * What setup installed before the mark stays; what the model's round added or changed goes, and the
 * next run rebuilds it from the change. The change's own files (in the commit git_apply makes) stay
 * for that commit; a nested repository is removed even there (git keeps only its link). The change time (ctime) is the kernel's, set on every write,
 * rename and `touch`, so no command can date a file back before the mark. Returns the removed paths.
 */
export async function discardUntrackedSince(
  git: WorkspaceGit,
  dir: string,
  mark: UntrackedMark,
  /** Files of the change itself (new files the index does not know yet): kept. */
  change: readonly string[] = [],
): Promise<string[]> {
  const kept = new Set(change);
  // Only the change's own files were written (a round that edited files and ran nothing else): no
  // file can be removed, so git is not asked which files it does not track (one process saved).
  const candidates = (await changedSince(dir, mark.marker)).filter((file) => !kept.has(file));
  if (candidates.length === 0) return [];
  const listed = await git.untrackedFiles(dir);
  const untracked = new Set(listed);
  // git lists a folder holding a repository of its own (a planted `x/.git`) as `x/`, not its files.
  const nestedRepos = listed.filter((entry) => entry.endsWith('/'));
  const removed = candidates.filter(
    (file) => untracked.has(file) || nestedRepos.some((prefix) => file.startsWith(prefix)),
  );
  for (const file of removed) await rm(path.join(dir, file), { force: true });
  return removed;
}

/** Files (not folders) under `dir`, `.git` aside, whose status changed after the marker's mtime. */
async function changedSince(dir: string, marker: string): Promise<string[]> {
  const fail = (reason: string, cause?: unknown): AutodevError =>
    new AutodevError('WORKSPACE_MISSING', `could not list the files the round changed in ${dir}: ${reason}`, {
      cause,
    });
  const result = await spawnCappedBytes({
    argv: ['find', '.', '-path', './.git', '-prune', '-o', '!', '-type', 'd', '-cnewer', marker, '-print0'],
    cwd: dir,
    env: SYSTEM_TOOL_ENV,
    timeoutMs: LISTING_TIMEOUT_MS,
    maxOutputBytes: MAX_LISTING_BYTES,
  }).catch((error: unknown) => {
    throw fail(String(error), error);
  });
  // A partial listing would keep what the round wrote: every way short of a full one is a failure.
  if (result.timedOut) throw fail(`find took longer than ${LISTING_TIMEOUT_MS} ms`);
  if (result.truncated) throw fail(`the listing passed ${MAX_LISTING_BYTES} bytes`);
  if (result.exitCode !== 0) throw fail(`find exited ${String(result.exitCode)}: ${result.stderr.trim()}`);
  return result.stdout
    .toString('utf8')
    .split('\0')
    .filter((entry) => entry !== '')
    .map((entry) => entry.replace(/^\.\//, ''));
}
