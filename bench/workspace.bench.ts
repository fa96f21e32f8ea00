import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { createGitRunner, type RunGit } from '../src/workspace/run-git.js';
import { createWorkspaceManager } from '../src/workspace/worktree-manager.js';
import { DEFAULT_SANDBOX_UID } from '../src/sandbox/types.js';
import { createWorkspaceAccess, grantAtCreation, grantByWalk } from '../src/sandbox/unprivileged-user.js';
import type { BenchRow } from './types.js';
import { benchTaskEndToEnd } from './workspace-task-e2e.js';
import { benchTaskGit } from './workspace-task-git.js';

const FILES_PER_DIR = 100;

/** A bare repo with `files` small files in one commit, written by fast-import (seconds, not minutes). */
async function makeRepo(git: RunGit, path: string, files: number): Promise<void> {
  await git(['init', '--quiet', '--bare', path]);
  const parts: string[] = [];
  const message = `${files} files\n`;
  parts.push(
    'commit refs/heads/main\n',
    'committer Bench <bench@example.test> 1704067200 +0000\n',
    `data ${Buffer.byteLength(message)}\n${message}`,
  );
  for (let i = 0; i < files; i += 1) {
    const content = `export const value${i} = ${i};\n`;
    const dir = `src/d${Math.floor(i / FILES_PER_DIR)}`;
    parts.push(`M 100644 inline ${dir}/f${i}.ts\ndata ${Buffer.byteLength(content)}\n${content}`);
  }
  parts.push('\n');
  await git(['fast-import', '--quiet'], { cwd: path, input: parts.join('') });
}

async function timed(fn: () => Promise<unknown>): Promise<number> {
  const start = performance.now();
  await fn();
  return performance.now() - start;
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1 ? (sorted[mid] ?? 0) : ((sorted[mid - 1] ?? 0) + (sorted[mid] ?? 0)) / 2;
}

async function benchSize(git: RunGit, root: string, files: number, runs: number): Promise<BenchRow[]> {
  const origin = join(root, `origin-${files}.git`);
  await makeRepo(git, origin, files);
  const dataDir = join(root, `data-${files}`);
  // As the server wires it: under bubblewrap as root, a new worktree gets the sandbox uid's default ACL
  // before its checkout (grantAtCreation), so the sandbox's grant before a command finds it done.
  const asRoot = process.getuid?.() === 0;
  const manager = createWorkspaceManager(
    { dataDir, keep_failed_workspaces_hours: 0 },
    {
      git,
      ...(asRoot ? { onWorktreeCreated: (dir: string) => grantAtCreation(dir, DEFAULT_SANDBOX_UID) } : {}),
    },
  );
  const task = (id: string) => ({ taskId: id, repo: origin, baseBranch: 'main', branch: `autodev/${id}` });
  /** The sandbox's grant as a fresh server process does it before the first command of a task. */
  const grant = (dir: string) => createWorkspaceAccess(DEFAULT_SANDBOX_UID).grant(dir);

  const mirrorMs = await timed(() => manager.prepare(task('warm')));
  await manager.remove('warm');

  const cold: number[] = [];
  const recycled: number[] = [];
  const recycledGranted: number[] = [];
  const recycledWalked: number[] = [];
  const clones: number[] = [];
  for (let i = 0; i < runs; i += 1) {
    // Alternated so that all three see the same page cache and machine load.
    cold.push(await timed(() => manager.prepare(task(`cold-${i}`))));
    await manager.release(`cold-${i}`); // leaves the spare the next prepare recycles
    recycled.push(await timed(() => manager.prepare(task(`recycled-${i}`))));
    if (asRoot) {
      // Grant included: today's (the root's default ACL is found, nothing walked) and the walk over
      // every file that each task did before, side by side on the same recycled worktree.
      await manager.release(`recycled-${i}`);
      recycledGranted.push(await timed(async () => grant((await manager.prepare(task(`granted-${i}`))).dir)));
      await manager.release(`granted-${i}`);
      recycledWalked.push(
        await timed(async () =>
          grantByWalk((await manager.prepare(task(`walked-${i}`))).dir, DEFAULT_SANDBOX_UID),
        ),
      );
      await manager.remove(`walked-${i}`);
    } else {
      await manager.remove(`recycled-${i}`); // no spare left: the next cold prepare is cold again
    }
    const dest = join(root, `clone-${files}-${i}`);
    clones.push(await timed(() => git(['clone', '--quiet', origin, dest])));
    await rm(dest, { recursive: true, force: true });
  }
  const baselineValue = median(clones);
  const size = files.toLocaleString('en-US');
  const row = (name: string, value: number, notes: string): BenchRow => ({
    name,
    baseline: 'git clone <local path> (hardlinks objects, full checkout)',
    value: Math.round(value),
    baselineValue: Math.round(baselineValue),
    unit: 'ms',
    ratio: Number((value / baselineValue).toFixed(2)),
    runs,
    notes,
  });
  const grantRows = asRoot
    ? [
        row(
          `workspace ready for the sandbox uid, recycled spare, grant included, ${size} files`,
          median(recycledGranted),
          'recycled prepare + the sandbox grant of a fresh server process: the default ACL set on the ' +
            'worktree root at creation is inherited by every file, so the grant reads one ACL (getfacl).',
        ),
        row(
          `workspace ready for the sandbox uid, recycled spare, per-task walk (before), ${size} files`,
          median(recycledWalked),
          'recycled prepare + the old grant: find ... -exec setfacl over every file and folder, per task.',
        ),
      ]
    : [];
  return [
    ...grantRows,
    row(
      `workspace create, first of the repo (mirror exists), ${size} files`,
      median(cold),
      `mirror fetch --prune + worktree add --no-checkout + reset --hard on a new branch: O(files), as the ` +
        `clone is; first prepare (mirror creation) took ${Math.round(mirrorMs)} ms. Baseline: git's default ` +
        `--local clone (objects hardlinked), the cheapest clone there is; a network clone costs far more.`,
    ),
    row(
      `workspace create, recycled spare of the repo, ${size} files`,
      median(recycled),
      'the worktree a finished task released is moved into place and checked out on the new branch: only ' +
        'files that differ from the base are written, so the cost barely grows with the repository.',
    ),
  ];
}

export async function bench(): Promise<BenchRow[]> {
  const git = createGitRunner({ env: process.env });
  const root = await mkdtemp(join(tmpdir(), 'autodev-bench-workspace-'));
  try {
    const taskOrigin = join(root, 'origin-task-git.git');
    await makeRepo(git, taskOrigin, 1000);
    const taskGit = [...(await benchTaskGit(git, taskOrigin, root, 15)), ...(await benchTaskEndToEnd(3))];
    // AUTODEV_BENCH_WORKSPACE_QUICK=1: only the per-task rows (a minute, not many).
    if (process.env['AUTODEV_BENCH_WORKSPACE_QUICK'] === '1') return taskGit;
    return [...taskGit, ...(await benchSize(git, root, 10, 7)), ...(await benchSize(git, root, 50_000, 3))];
  } finally {
    await rm(root, { recursive: true, force: true });
  }
}
