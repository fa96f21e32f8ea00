/**
 * What bubblewrap adds to every command: namespaces, mounts, prlimit and a private HOME,
 * against spawning the same command directly through the same spawner.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { createBubblewrapSandbox } from '../src/sandbox/bubblewrap.js';
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
  } finally {
    await rm(workspace, { recursive: true, force: true });
  }
  return rows;
}
