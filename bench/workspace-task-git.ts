/**
 * The git side of one task's hot path, measured side by side with the git commands it ran before
 * (issue #14: autodev's own overhead per task). Each "before" is the literal command sequence the
 * earlier WorkspaceGit ran (from a GIT_TRACE of a corpus task); each "after" is the WorkspaceGit of
 * today through its public interface, on a workspace the manager prepared (so git runs on the
 * recorded git dir, as in a task). Both go through the same hardened runner, with its setpriv prefix.
 */
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import type { RunGit } from '../src/workspace/run-git.js';
import { createWorkspaceGit } from '../src/workspace/workspace-git.js';
import { createWorkspaceManager } from '../src/workspace/worktree-manager.js';
import type { BenchRow } from './types.js';

const AUTHOR = { name: 'Bench', email: 'bench@example.test', date: '2026-01-01T00:00:00Z' };
const KEPT = ['-e', 'node_modules/', '-e', '/target/'];
const DIFF_FLAGS = ['--no-color', '--no-ext-diff', '--no-textconv', '--no-renames'];

/** Counts the git processes a piece of work starts. */
function counting(git: RunGit): { git: RunGit; count: () => number; reset: () => void } {
  let n = 0;
  return {
    git: (args, options) => {
      n += 1;
      return git(args, options);
    },
    count: () => n,
    reset: () => {
      n = 0;
    },
  };
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1 ? (sorted[mid] ?? 0) : ((sorted[mid - 1] ?? 0) + (sorted[mid] ?? 0)) / 2;
}

interface Side {
  ms: number[];
  spawns: number;
}

/** Runs before and after alternately (same page cache, same load), `runs` times each. */
async function sideBySide(
  runs: number,
  counter: ReturnType<typeof counting>,
  before: (i: number) => Promise<unknown>,
  after: (i: number) => Promise<unknown>,
): Promise<{ before: Side; after: Side }> {
  const result = { before: { ms: [] as number[], spawns: 0 }, after: { ms: [] as number[], spawns: 0 } };
  for (let i = 0; i < runs; i += 1) {
    for (const [side, fn] of [
      ['before', before],
      ['after', after],
    ] as const) {
      counter.reset();
      const start = performance.now();
      await fn(i);
      result[side].ms.push(performance.now() - start);
      result[side].spawns = counter.count();
    }
  }
  return result;
}

function row(name: string, what: string, runs: number, r: { before: Side; after: Side }): BenchRow {
  const value = median(r.after.ms);
  const baselineValue = median(r.before.ms);
  return {
    name,
    baseline: `the same work as the earlier WorkspaceGit did it (${r.before.spawns} git processes)`,
    value: Math.round(value * 10) / 10,
    baselineValue: Math.round(baselineValue * 10) / 10,
    unit: 'ms',
    ratio: Number((value / baselineValue).toFixed(2)),
    runs,
    notes: `${r.after.spawns} git processes instead of ${r.before.spawns}; ${what}`,
  };
}

/**
 * `origin` is a bare repo with a `main` branch; `root` a scratch folder. The rows: git_apply of a
 * codegen commit, the reads of check_deps/check_constraints/verify (changed files, a file at base
 * and HEAD), git_push of a new commit, and git_rebase's check of an unmoved base.
 */
export async function benchTaskGit(
  plainGit: RunGit,
  origin: string,
  root: string,
  runs: number,
): Promise<BenchRow[]> {
  const counter = counting(plainGit);
  const { git } = counter;
  const dataDir = join(root, 'task-git-data');
  const manager = createWorkspaceManager({ dataDir, keep_failed_workspaces_hours: 0 }, { git });
  const wg = createWorkspaceGit({ git, locate: (dir) => manager.locate(dir) });
  const ws = await manager.prepare({
    taskId: 'bench',
    repo: origin,
    baseBranch: 'main',
    branch: 'autodev/bench',
  });
  const place = { worktree: (await manager.locate(ws.dir)) ?? { gitDir: '', workTree: ws.dir } };
  const base = ws.baseCommit;
  const rev = async (r: string) =>
    (
      await git(['rev-parse', '--verify', '--quiet', '--end-of-options', `${r}^{commit}`], place)
    ).stdout.trim();

  // What codegen leaves: one commit with a changed file, kept under refs/autodev/changes.
  const file = 'src/d0/f0.ts';
  await writeFile(join(ws.dir, file), 'export const value0 = 42;\n');
  const change = (await wg.commitAll(ws.dir, 'change', AUTHOR)).commit;
  await wg.keepCommit(ws.dir, 'refs/autodev/changes/bench/1', change);
  await wg.resetTo(ws.dir, base);

  const rows: BenchRow[] = [];
  const commitTreeArgs = (tree: string, parent: string) => [
    '-c',
    `user.name=${AUTHOR.name}`,
    '-c',
    `user.email=${AUTHOR.email}`,
    'commit-tree',
    `${tree}^{tree}`,
    '-p',
    parent,
    '-F',
    '-',
  ];
  const oldReset = async (r: string) => {
    const target = await rev(r);
    await git(['reset', '--hard', '--quiet', target, '--'], place);
    await git(['clean', '-fd', '--quiet', ...KEPT], place);
  };
  const oldChangedFiles = async (from: string) => {
    const f = await rev(from);
    return git(['diff', '--name-only', '-z', ...DIFF_FLAGS, f, 'HEAD', '--'], place);
  };
  const apply = await sideBySide(
    runs,
    counter,
    async () => {
      await oldReset(base);
      const tree = await rev(change);
      const parent = await rev(base);
      const commit = await git(commitTreeArgs(tree, parent), {
        ...place,
        input: 'change',
        commitDate: AUTHOR.date,
      });
      await oldReset(commit.stdout.trim());
      await oldChangedFiles(base);
      await wg.resetTo(ws.dir, base); // untimed in spirit: both sides start from the base
    },
    async () => {
      const commit = await wg.commitTreeOf(ws.dir, change, base, 'change', AUTHOR);
      await wg.resetTo(ws.dir, commit);
      await wg.changedFiles(ws.dir, base);
      await wg.resetTo(ws.dir, base);
    },
  );
  rows.push(
    row(
      'git_apply of a codegen commit (commit-tree, reset, changed files)',
      'includes a reset back to the base on both sides',
      runs,
      apply,
    ),
  );

  // Reads of the verify phase: changed files, then one file at the base and at HEAD (as check_deps,
  // check_constraints and the sensitive-change classification do).
  await wg.resetTo(ws.dir, change);
  const oldFileAt = async (r: string, path: string) => {
    const spec = `${await rev(r)}:${path}`;
    await git(['cat-file', '-e', spec], { ...place, okExitCodes: [1, 128] });
    await git(['cat-file', '-t', spec], place);
    await git(['cat-file', '-s', spec], place);
    return git(['cat-file', 'blob', spec], place);
  };
  const reads = await sideBySide(
    runs,
    counter,
    async () => {
      await oldChangedFiles(base);
      await Promise.all([oldFileAt(base, file), oldFileAt('HEAD', file)]);
    },
    async () => {
      await wg.changedFiles(ws.dir, base);
      await Promise.all([
        wg.fileAt(ws.dir, base, file, { maxBytes: 1 << 20 }),
        wg.fileAt(ws.dir, 'HEAD', file, { maxBytes: 1 << 20 }),
      ]);
    },
  );
  rows.push(
    row(
      'verify reads: changed files + a file at base and HEAD (bounded)',
      'as check_deps reads a manifest',
      runs,
      reads,
    ),
  );

  const push = await sideBySide(
    runs,
    counter,
    async (i) => {
      const branch = `bench/old-${i}`;
      await git(['check-ref-format', `refs/heads/${branch}`], { okExitCodes: [1] });
      const local = await rev('HEAD');
      await git(['ls-remote', '--refs', origin, `refs/heads/${branch}`], place);
      await git(['push', '--quiet', '--no-verify', origin, `${local}:refs/heads/${branch}`], place);
    },
    async (i) => {
      await wg.push(ws.dir, origin, `bench/new-${i}`);
    },
  );
  rows.push(row('git_push of the task branch (new on the remote)', 'local bare origin', runs, push));

  const rebase = await sideBySide(
    runs,
    counter,
    async () => {
      await git(['check-ref-format', 'refs/heads/main'], { okExitCodes: [1] });
      const tip = await git(['ls-remote', '--refs', origin, 'refs/heads/main'], place);
      await git(['fetch', '--quiet', '--no-tags', '--no-write-fetch-head', origin, 'refs/heads/main'], place);
      await rev(tip.stdout.split('\t')[0] ?? '');
    },
    async () => {
      await wg.fetchBranch(ws.dir, origin, 'main');
    },
  );
  rows.push(
    row("git_rebase's base check, base unchanged", 'the base commit is already in the mirror', runs, rebase),
  );
  return rows;
}
