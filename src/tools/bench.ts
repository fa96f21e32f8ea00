import { mkdir, mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { z } from 'zod';
import { AutodevError, isAutodevError } from '../errors.js';
import { ecosystemCache } from '../languages/caches.js';
import { AUTODEV_TOML, parseAutodevToml, type BenchDeclaration } from '../languages/autodev-toml.js';
import { throwOnResourceLimit } from '../languages/run.js';
import { compareRuns, type BenchComparison } from '../perf/compare.js';
import { BENCH_PARSERS, type BenchFormat, type BenchMeasurement } from '../perf/index.js';
import { measureInterleaved, type BenchSide } from '../perf/interleave.js';
import { clearBenchOutput, readBenchOutput } from '../perf/read-output.js';
import { hashSeed } from '../perf/statistics.js';
import type { SandboxBind } from '../sandbox/types.js';
import { assertNoEscapingLinks } from '../workspace/escaping-links.js';
import { defineTool } from './define.js';
import { registerTool } from './register.js';
import type { ToolContext } from './types.js';

export interface BenchToolOutput {
  /** False when the base commit's `.autodev.toml` declares no `[bench]`: nothing ran. */
  configured: boolean;
  command?: string[];
  format?: BenchFormat;
  rounds: number;
  max_regression_pct: number;
  /** The resampling seed (from the base commit): the same samples give the same intervals. */
  seed: number;
  comparisons: BenchComparison[];
  /** The names of the comparisons that are regressions. */
  regressions: string[];
  /** Benchmarks only one side measured (added or removed by the change): not compared. */
  base_only: string[];
  head_only: string[];
  /** Why nothing could be compared (the command failed, its output did not parse). */
  unavailable?: string;
  duration_ms: number;
}

const MAX_OUTPUT_BYTES = 8 * 1024 * 1024;

export const benchTool = registerTool(
  defineTool({
    name: 'bench',
    description:
      "Run the repository's [bench] command on the base commit and on the change, interleaved in the sandbox, and compare each benchmark (bootstrap interval of the ratio of medians).",
    inputSchema: z.object({
      base_commit: z
        .string()
        .min(1)
        .describe('The task base: its tree is the baseline, and its .autodev.toml declares [bench].'),
      rounds: z
        .number()
        .int()
        .min(3)
        .max(50)
        .optional()
        .describe('Measured rounds (bench_rounds when absent).'),
    }),
    async invoke(input, ctx): Promise<BenchToolOutput> {
      const started = performance.now();
      const config = ctx.services.config;
      const rounds = input.rounds ?? config.bench_rounds;
      const seed = hashSeed(input.base_commit, 0);
      const text = await ctx.services.git.fileAt(ctx.workspaceDir, input.base_commit, AUTODEV_TOML);
      const bench = text === undefined ? undefined : parseAutodevToml(text).bench;
      const empty = {
        rounds,
        max_regression_pct: config.max_regression_pct,
        seed,
        comparisons: [],
        regressions: [],
        base_only: [],
        head_only: [],
      };
      if (!bench) return { configured: false, ...empty, duration_ms: 0 };
      const described = { configured: true, command: bench.argv, format: bench.format };
      await assertNoEscapingLinks(ctx.workspaceDir, ctx.signal);
      const scratch = await makeScratch(ctx);
      try {
        const trees = await prepareTrees(ctx, input.base_commit, scratch);
        let samples;
        try {
          samples = await measureInterleaved(rounds, (side, round) =>
            runOnce(ctx, bench, trees, side, round),
          );
        } catch (error) {
          if (!isAutodevError(error, 'BENCH_FAILED') && !isAutodevError(error, 'BENCH_OUTPUT_INVALID')) {
            throw error;
          }
          return { ...described, ...empty, unavailable: error.message, duration_ms: elapsed(started) };
        }
        const compared = compareRuns(samples.base, samples.head, {
          maxRegressionPct: config.max_regression_pct,
          seed,
        });
        return {
          ...described,
          ...empty,
          comparisons: compared.comparisons,
          regressions: compared.comparisons.filter((c) => c.regression).map((c) => c.name),
          base_only: compared.baseOnly,
          head_only: compared.headOnly,
          ...(compared.comparisons.length === 0
            ? { unavailable: 'no benchmark was measured on both the base and the change' }
            : {}),
          duration_ms: elapsed(started),
        };
      } finally {
        // The results file must not stay in the task's worktree, where a later commit would take it.
        if (bench.output) await clearBenchOutput(ctx.workspaceDir, bench.output).catch(() => undefined);
        await rm(scratch, { recursive: true, force: true }).catch(() => undefined);
      }
    },
    summarize: (out) =>
      !out.configured
        ? 'no [bench] in .autodev.toml: skipped'
        : out.unavailable
          ? `not compared: ${out.unavailable}`
          : `${out.comparisons.length} benchmark(s) over ${out.rounds} rounds: ${
              out.regressions.length > 0 ? `regressed: ${out.regressions.join(', ')}` : 'no regression'
            }${
              out.comparisons.some((c) => c.noisy)
                ? ` (noisy: ${out.comparisons
                    .filter((c) => c.noisy)
                    .map((c) => c.name)
                    .join(', ')})`
                : ''
            }`,
  }),
);

function elapsed(started: number): number {
  return Math.round(performance.now() - started);
}

/** A folder of the step's own (beside its HOME, removed with it), or a temporary one for a CLI run. */
async function makeScratch(ctx: ToolContext): Promise<string> {
  if (ctx.homeDir === undefined) return mkdtemp(path.join(os.tmpdir(), 'autodev-bench-'));
  const dir = `${ctx.homeDir}.bench`;
  await rm(dir, { recursive: true, force: true });
  await mkdir(dir, { recursive: true });
  return dir;
}

interface Trees {
  base: string;
  head: string;
}

/**
 * The base side is the base commit's files exported into a folder of its own, the head side the
 * task's worktree as it is; each side gets its own HOME, so what one side's run leaves in HOME
 * (a build cache, a config file) cannot slow down or speed up the other.
 */
async function prepareTrees(
  ctx: ToolContext,
  baseCommit: string,
  scratch: string,
): Promise<Trees & { homes: Trees }> {
  const base = path.join(scratch, 'base');
  await mkdir(base);
  await ctx.services.git.exportTree(ctx.workspaceDir, baseCommit, base);
  await assertNoEscapingLinks(base, ctx.signal);
  const homes = { base: path.join(scratch, 'home-base'), head: path.join(scratch, 'home-head') };
  await mkdir(homes.base);
  await mkdir(homes.head);
  return { base, head: ctx.workspaceDir, homes };
}

/** The repo's Go and Cargo caches, read-only, as tests get them: the bench runs offline too. */
async function cacheAccess(ctx: ToolContext): Promise<{ env: Record<string, string>; binds: SandboxBind[] }> {
  const options = ctx.cacheDir === undefined ? {} : { cacheDir: ctx.cacheDir };
  const go = await ecosystemCache(options, 'go', false);
  const cargo = await ecosystemCache(options, 'cargo', false);
  return {
    env: {
      GOTOOLCHAIN: 'local',
      GOPROXY: 'off',
      CARGO_NET_OFFLINE: 'true',
      CARGO_TERM_COLOR: 'never',
      ...(go ? { GOMODCACHE: path.join(go.dir, 'mod') } : {}),
      ...(cargo ? { CARGO_HOME: cargo.dir } : {}),
    },
    binds: [...(go ? [go.bind] : []), ...(cargo ? [cargo.bind] : [])],
  };
}

async function runOnce(
  ctx: ToolContext,
  bench: BenchDeclaration,
  trees: Trees & { homes: Trees },
  side: BenchSide,
  round: number,
): Promise<BenchMeasurement[]> {
  const tree = trees[side];
  if (bench.output) await clearBenchOutput(tree, bench.output);
  const access = await cacheAccess(ctx);
  const result = await ctx.services.sandbox.run({
    argv: bench.argv,
    cwd: tree,
    workspace: tree,
    timeoutMs: ctx.services.config.runner_timeout_secs * 1000,
    network: false,
    signal: ctx.signal,
    maxOutputBytes: MAX_OUTPUT_BYTES,
    homeDir: trees.homes[side],
    env: access.env,
    ...(access.binds.length > 0 ? { binds: access.binds } : {}),
  });
  if (result.cancelled) throw new AutodevError('TASK_CANCELLED', `cancelled: ${bench.argv.join(' ')}`);
  throwOnResourceLimit(bench.argv, result);
  const label = `${side} ${round === 0 ? 'warm-up' : `round ${round}`}`;
  ctx.onOutput('stdout', `bench ${label}: exit ${String(result.exitCode)} in ${result.durationMs} ms\n`);
  if (result.exitCode !== 0 || result.timedOut) {
    const tail = `${result.stdout}\n${result.stderr}`.trim().slice(-2000);
    throw new AutodevError(
      'BENCH_FAILED',
      `[bench] command failed on the ${side} (${label}): exit ${String(result.exitCode)}${result.timedOut ? ', timed out' : ''}: ${tail}`,
    );
  }
  const text = bench.output ? await readBenchOutput(tree, bench.output) : result.stdout;
  const measured = BENCH_PARSERS[bench.format].parse(text);
  if (measured.length === 0) {
    throw new AutodevError(
      'BENCH_OUTPUT_INVALID',
      `[bench] on the ${side} printed no benchmark in the ${bench.format} format: expected ${BENCH_PARSERS[bench.format].expects}`,
    );
  }
  return measured;
}
