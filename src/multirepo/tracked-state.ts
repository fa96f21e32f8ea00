import { createHash } from 'node:crypto';
import { AutodevError } from '../errors.js';
import type { RunGit } from '../workspace/run-git.js';

/** What a push could carry from a checkout: its commit, its tracked files' edits, its untracked files. */
export interface TrackedState {
  head: string;
  /** sha256 of `git diff HEAD --binary`: every tracked file's content against the commit. */
  diff: string;
  /** Untracked files git does not ignore (what `git add -A` would take). */
  untracked: string[];
}

export async function trackedStateOf(runGit: RunGit, dir: string): Promise<TrackedState> {
  const head = (await runGit(['rev-parse', 'HEAD'], { cwd: dir })).stdout.trim();
  const diff = await runGit(['diff', 'HEAD', '--binary', '--no-ext-diff', '--no-textconv'], { cwd: dir });
  const untracked = await runGit(['ls-files', '-z', '--others', '--exclude-standard'], { cwd: dir });
  return {
    head,
    diff: createHash('sha256').update(diff.stdout).digest('hex'),
    untracked: untracked.stdout
      .split('\0')
      .filter((f) => f.length > 0)
      .sort(),
  };
}

/** The proof a link left a checkout as it found it: its state before and after, and whether they agree. */
export interface UntouchedProof {
  dir: string;
  before: TrackedState;
  after: TrackedState;
  unchanged: boolean;
}

export function compareStates(dir: string, before: TrackedState, after: TrackedState): UntouchedProof {
  const unchanged =
    before.head === after.head &&
    before.diff === after.diff &&
    before.untracked.length === after.untracked.length &&
    before.untracked.every((file, i) => after.untracked[i] === file);
  return { dir, before, after, unchanged };
}

/** LINK_TOUCHED_CHECKOUT naming the checkout and what changed, when a proof says it changed. */
export function assertUntouched(proof: UntouchedProof): void {
  if (proof.unchanged) return;
  const added = proof.after.untracked.filter((f) => !proof.before.untracked.includes(f));
  const what = [
    proof.before.head === proof.after.head
      ? ''
      : `HEAD moved from ${proof.before.head} to ${proof.after.head}`,
    proof.before.diff === proof.after.diff ? '' : 'tracked files changed',
    added.length === 0 ? '' : `new untracked files: ${added.slice(0, 10).join(', ')}`,
  ].filter((s) => s.length > 0);
  throw new AutodevError(
    'LINK_TOUCHED_CHECKOUT',
    `linking changed the checkout ${proof.dir} (${what.join('; ') || 'untracked files removed'}): nothing of it may be pushed`,
  );
}
