/**
 * What bubblewrap adds to every command: namespaces, mounts, prlimit and a private HOME,
 * against spawning the same command directly through the same spawner.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { bwrapArgv, createBubblewrapSandbox } from '../src/sandbox/bubblewrap.js';
import { resolveLimits } from '../src/sandbox/limits.js';
import { DEFAULT_SANDBOX_UID } from '../src/sandbox/types.js';
import { buildSandboxEnv } from '../src/sandbox/env.js';
import { spawnCapped } from '../src/sandbox/spawn-capped.js';
import type { BenchRow } from './types.js';

const RUNS = 20;
const WARMUP = 2;

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1
    ? (sorted[middle] ?? 0)
    : ((sorted[middle - 1] ?? 0) + (sorted[middle] ?? 0)) / 2;
}

async function timeRuns(run: () => Promise<{ exitCode: number | null }>): Promise<number[]> {
  const times: number[] = [];
  for (let i = 0; i < WARMUP + RUNS; i += 1) {
    const started = performance.now();
    const result = await run();
    const elapsed = performance.now() - started;
    if (result.exitCode !== 0)
      throw new Error(`benchmark command failed with exit ${String(result.exitCode)}`);
    if (i >= WARMUP) times.push(elapsed);
  }
  return times;
}

export async function bench(): Promise<BenchRow[]> {
  const hostEnv = process.env;
  const sandbox = createBubblewrapSandbox({ hostEnv });
  await sandbox.ensureAvailable();
  const workspace = await mkdtemp(path.join(os.tmpdir(), 'autodev-bench-'));
  // The same scrubbed env for the baseline, so the difference is the sandbox alone.
  const env = buildSandboxEnv({ hostEnv, home: workspace, inheritToolchains: true, network: false });
  const rows: BenchRow[] = [];
  try {
    for (const argv of [['true'], ['node', '-e', '0']]) {
      // Interleaved would be fairer to drift, but sequential keeps each cache warm for its kind.
      const direct = median(
        await timeRuns(() => spawnCapped({ argv, cwd: workspace, env, timeoutMs: 30_000 })),
      );
      const sandboxed = median(
        await timeRuns(() => sandbox.run({ argv, cwd: workspace, timeoutMs: 30_000 })),
      );
      rows.push({
        name: `bubblewrap run \`${argv.join(' ')}\``,
        baseline: 'direct spawn',
        value: sandboxed,
        baselineValue: direct,
        unit: 'ms',
        ratio: sandboxed / direct,
        runs: RUNS,
        notes: `+${(sandboxed - direct).toFixed(1)} ms per command (network off, prlimit, temp HOME)`,
      });
    }
    if (process.getuid?.() === 0) rows.push(await privilegeDropRow(env, workspace));
  } finally {
    await rm(workspace, { recursive: true, force: true });
  }
  return rows;
}

/**
 * What running the command as the unprivileged sandbox uid costs (setpriv inside bwrap, no user
 * namespace) against bwrap run as root the way it was before (user namespace, capabilities dropped).
 */
async function privilegeDropRow(env: Record<string, string>, workspace: string): Promise<BenchRow> {
  const plan = {
    workspace,
    cwd: workspace,
    home: workspace,
    env,
    network: false,
    limits: resolveLimits(undefined),
    hidden: [],
    argv: ['true'],
  };
  const time = (argv: string[]) =>
    timeRuns(() => spawnCapped({ argv, cwd: workspace, env, timeoutMs: 30_000 }));
  const asRoot = median(await time(bwrapArgv(plan)));
  const dropped = median(await time(bwrapArgv({ ...plan, uid: DEFAULT_SANDBOX_UID })));
  return {
    name: 'bubblewrap `true` as the sandbox uid',
    baseline: 'bubblewrap as root (user namespace)',
    value: dropped,
    baselineValue: asRoot,
    unit: 'ms',
    ratio: dropped / asRoot,
    runs: RUNS,
    notes: `${(dropped - asRoot).toFixed(1)} ms per command for the uid drop (budget 10 ms)`,
  };
}
