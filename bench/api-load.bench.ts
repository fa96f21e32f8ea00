/**
 * The API under load on loopback: 10,000 GET /tasks over 1,000 stored tasks and 1,000 task
 * submissions, 32 requests in flight (closed loop: the throughput figure), while a slow scripted
 * model keeps max_parallel_tasks busy. Then every read route at a fixed 1,000 req/s (open loop:
 * the latency figure, bench/lib/api-open-loop.ts) over those tasks, a pull request each.
 * Baseline: GET /healthz through the same client and concurrency, interleaved in blocks so that
 * both see the same queue. The server runs in this process (its memory is sampled here); the load
 * generator and the model run in a child process. Bounded: counts and a 120 s budget.
 */
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import type { FastifyInstance } from 'fastify';
import { z } from 'zod';
import { buildServer } from '../src/api/server.js';
import { loadConfig } from '../src/config/load.js';
import { createRuntime, type Runtime } from '../src/runtime/create-runtime.js';
import { createFixtureRepo } from '../test/fixtures/repo.js';
import { measureOpenLoop } from './lib/api-open-loop.js';
import { seedTaskDetails } from './lib/seed-task-details.js';
import { startLoadDriver, type LoadDriver } from './lib/load-driver.js';
import type { LoadRequest, LoadResult } from './lib/load-protocol.js';
import { memoryNow, observeLoad, summarize, type LatencySummary } from './lib/load-stats.js';
import type { BenchRow } from './types.js';

const CONCURRENCY = 32;
const LIST_REQUESTS = 10_000;
const SUBMISSIONS = 1_000;
/** Each measured kind is split into this many blocks, alternating with its baseline. */
const BLOCKS = 5;
const WARMUP_REQUESTS = 500;
const MODEL_DELAY_MS = 2_000;
const LOAD_BUDGET_MS = 120_000;
const TASKS_PATH = '/api/v1/autodev/tasks';

const PYTHON_REPO = {
  'calc.py': 'def add(a, b):\n    return a - b\n',
  'test_calc.py': 'from calc import add\n\n\ndef test_add():\n    assert add(2, 3) == 5\n',
};

interface ServerUnderTest {
  runtime: Runtime;
  app: FastifyInstance;
  baseUrl: string;
  logLines(): number;
}

async function startServer(root: string, modelUrl: string, storeUrl?: string): Promise<ServerUnderTest> {
  const file = path.join(root, 'config.toml');
  await writeFile(
    file,
    [
      '[autodev]',
      `data_dir = ${JSON.stringify(path.join(root, 'data'))}`,
      'max_parallel_tasks = 4',
      'max_step_retries = 0',
      'rate_limit_per_minute = 0',
      'log_level = "warn"',
      'allowlist_repos = ["**"]',
      '[autodev.llm]',
      `api_url = ${JSON.stringify(modelUrl)}`,
      'api_key_env = "BENCH_MODEL_KEY"',
      'timeout_secs = 30',
      ...(storeUrl === undefined ? [] : ['[autodev.store]', `url = ${JSON.stringify(storeUrl)}`]),
    ].join('\n'),
  );
  // An explicit environment: the bench's own variables (a real key, a data dir) must not leak in.
  const hostEnv = {
    PATH: process.env.PATH ?? '/usr/local/bin:/usr/bin:/bin',
    HOME: process.env.HOME ?? '/tmp',
    LANG: 'C.UTF-8',
    BENCH_MODEL_KEY: 'sk-bench-load-0123456789',
  };
  const config = loadConfig({ file, env: hostEnv, cwd: root });
  let lines = 0;
  const runtime = await createRuntime(config, {
    hostEnv,
    logDestination: { write: () => void (lines += 1) },
  });
  const app = await buildServer(runtime);
  const baseUrl = await app.listen({ port: 0, host: '127.0.0.1' });
  await runtime.start();
  return { runtime, app, baseUrl, logLines: () => lines };
}

/** Runs `count` requests of one kind within what is left of the budget. */
function runner(driver: LoadDriver, baseUrl: string, deadline: number) {
  return (request: LoadRequest, count: number): Promise<LoadResult> =>
    driver.run({
      baseUrl,
      request,
      count,
      concurrency: CONCURRENCY,
      deadlineMs: Math.max(1, deadline - performance.now()),
    });
}

interface Accumulated {
  latenciesMs: number[];
  elapsedMs: number;
  statuses: Record<string, number>;
  stoppedByDeadline: boolean;
  firstError?: string;
}

function accumulate(into: Accumulated, result: LoadResult): void {
  into.latenciesMs.push(...result.latenciesMs);
  into.elapsedMs += result.elapsedMs;
  for (const [status, n] of Object.entries(result.statuses)) {
    into.statuses[status] = (into.statuses[status] ?? 0) + n;
  }
  into.stoppedByDeadline ||= result.stoppedByDeadline;
  into.firstError ??= result.firstError;
}

const empty = (): Accumulated => ({ latenciesMs: [], elapsedMs: 0, statuses: {}, stoppedByDeadline: false });

/** `total` requests of `measured` and as many of /healthz, alternating in BLOCKS blocks. */
async function interleaved(
  run: (request: LoadRequest, count: number) => Promise<LoadResult>,
  measured: LoadRequest,
  total: number,
): Promise<{ measured: Accumulated; baseline: Accumulated }> {
  const result = { measured: empty(), baseline: empty() };
  const block = Math.ceil(total / BLOCKS);
  for (let i = 0; i < BLOCKS; i += 1) {
    accumulate(result.baseline, await run({ kind: 'get', path: '/healthz' }, block));
    accumulate(result.measured, await run(measured, block));
  }
  return result;
}

const taskPage = z.object({
  tasks: z.array(z.object({ id: z.string(), status: z.string() })),
  next_cursor: z.string().nullable(),
});

/** Pages through GET /tasks (200 a page) and tallies the tasks by status; ids newest first. */
async function countTasks(
  baseUrl: string,
): Promise<{ total: number; byStatus: Record<string, number>; ids: string[] }> {
  const byStatus: Record<string, number> = {};
  const ids: string[] = [];
  let total = 0;
  let cursor: string | null = null;
  do {
    const query: string = cursor === null ? '' : `&cursor=${encodeURIComponent(cursor)}`;
    const response = await fetch(`${baseUrl}${TASKS_PATH}?limit=200${query}`);
    const page = taskPage.parse(await response.json());
    for (const task of page.tasks) {
      byStatus[task.status] = (byStatus[task.status] ?? 0) + 1;
      ids.push(task.id);
    }
    total += page.tasks.length;
    cursor = page.next_cursor;
  } while (cursor !== null);
  return { total, byStatus, ids };
}

const fmt = (value: number): string => value.toFixed(2);
const statusText = (statuses: Record<string, number>): string =>
  Object.entries(statuses)
    .map(([status, n]) => `${status}×${n}`)
    .join(' ');

function latencyRows(label: string, measured: Accumulated, baseline: Accumulated, extra: string): BenchRow[] {
  const m = summarize(measured.latenciesMs, measured.elapsedMs);
  const b = summarize(baseline.latenciesMs, baseline.elapsedMs);
  const raw = (s: LatencySummary): string =>
    `p50 ${fmt(s.p50)} p99 ${fmt(s.p99)} max ${fmt(s.max)} ms, ${fmt(s.throughput)} req/s, n=${s.count}`;
  const notes = [
    `${label}: ${raw(m)} [${statusText(measured.statuses)}]`,
    `healthz: ${raw(b)} [${statusText(baseline.statuses)}]`,
    `${CONCURRENCY} in flight`,
    ...(measured.stoppedByDeadline || baseline.stoppedByDeadline ? ['STOPPED BY 120 s BUDGET'] : []),
    ...(measured.firstError === undefined ? [] : [`first error: ${measured.firstError}`]),
    extra,
  ]
    .filter((part) => part !== '')
    .join('; ');
  const row = (what: string, unit: BenchRow['unit'], value: number, base: number): BenchRow => ({
    name: `${label} ${what}`,
    baseline: `GET /healthz ${what}`,
    value,
    baselineValue: base,
    unit,
    ratio: value / base,
    runs: m.count,
    notes,
  });
  return [
    row('p50', 'ms', m.p50, b.p50),
    row('p99', 'ms', m.p99, b.p99),
    row('throughput', 'req/s', m.throughput, b.throughput),
  ];
}

async function measure(server: ServerUnderTest, driver: LoadDriver, repo: string): Promise<BenchRow[]> {
  const run = runner(driver, server.baseUrl, performance.now() + LOAD_BUDGET_MS);
  const list: LoadRequest = { kind: 'get', path: TASKS_PATH };
  const submit: LoadRequest = {
    kind: 'submit',
    path: TASKS_PATH,
    task: { title: 'Load test task', description: 'Fix add().', repo },
  };
  // JIT and connection pool warm before anything is measured; the idle figure after that.
  await run({ kind: 'get', path: '/healthz' }, WARMUP_REQUESTS);
  await run(list, WARMUP_REQUESTS);
  const idle = memoryNow();
  // The same route with nothing queued: how much of the baseline is the busy queue's CPU.
  const idleHealthz = await run({ kind: 'get', path: '/healthz' }, SUBMISSIONS);

  const observer = observeLoad();
  const submissions = await interleaved(run, submit, SUBMISSIONS);
  const afterSubmit = await countTasks(server.baseUrl);
  const listing = await interleaved(run, list, LIST_REQUESTS);
  const observed = observer.stop();
  const end = memoryNow();
  const after = await countTasks(server.baseUrl);

  // The open loop: every read route at 1,000 req/s over the same 1,000 tasks, now with details.
  const details = await seedTaskDetails(server.runtime.store, afterSubmit.ids, repo);
  const openRows = await measureOpenLoop({
    baseUrl: server.baseUrl,
    driver,
    taskId: details.taskId,
    cursor: afterSubmit.ids[Math.floor(afterSubmit.ids.length / 2)] ?? details.taskId,
    repo,
  });

  const submitted = submissions.measured.statuses['201'] ?? 0;
  const countCheck = `GET /tasks paginated count ${afterSubmit.total} == ${SUBMISSIONS}: ${afterSubmit.total === SUBMISSIONS && submitted === SUBMISSIONS ? 'ok' : 'MISMATCH'}`;
  const queue = `queue at end: ${statusText(after.byStatus)}`;
  const quiet = summarize(idleHealthz.latenciesMs, idleHealthz.elapsedMs);
  const quietText = `healthz with an empty queue: p50 ${fmt(quiet.p50)} p99 ${fmt(quiet.p99)} ms, ${fmt(quiet.throughput)} req/s`;
  const loop = `server event-loop delay p99 ${fmt(observed.eventLoopDelayP99Ms)} ms, max ${fmt(observed.eventLoopDelayMaxMs)} ms`;
  return [
    ...latencyRows('GET /tasks (1,000 rows, limit 50)', listing.measured, listing.baseline, loop),
    ...latencyRows(
      'POST /tasks (submit)',
      submissions.measured,
      submissions.baseline,
      `${countCheck}; ${quietText}`,
    ),
    {
      name: 'server RSS, peak under load',
      baseline: 'RSS idle after start',
      value: observed.peak.rssMiB,
      baselineValue: idle.rssMiB,
      unit: 'MiB',
      ratio: observed.peak.rssMiB / idle.rssMiB,
      runs: 1,
      notes: [
        `RSS idle ${fmt(idle.rssMiB)} / peak ${fmt(observed.peak.rssMiB)} / end ${fmt(end.rssMiB)} MiB`,
        `heap used idle ${fmt(idle.heapUsedMiB)} / peak ${fmt(observed.peak.heapUsedMiB)} / end ${fmt(end.heapUsedMiB)} MiB`,
        `process VmHWM ${fmt(observed.maxRssMiB)} MiB (includes the bench harness and earlier benches)`,
        queue,
        `${server.logLines()} warn+ log lines`,
      ].join('; '),
    },
    ...openRows,
  ];
}

export function bench(): Promise<BenchRow[]> {
  return runApiLoad();
}

/** The load on a server whose store is `storeUrl` (PostgreSQL), or SQLite under a temp data_dir. */
export async function runApiLoad(storeUrl?: string): Promise<BenchRow[]> {
  const root = await mkdtemp(path.join(os.tmpdir(), 'autodev-bench-api-load-'));
  const repo = await createFixtureRepo({ files: PYTHON_REPO });
  const driver = startLoadDriver();
  let server: ServerUnderTest | undefined;
  try {
    const modelUrl = await driver.startModel({ replies: SUBMISSIONS, delayMs: MODEL_DELAY_MS });
    server = await startServer(root, modelUrl, storeUrl);
    return await measure(server, driver, repo.origin);
  } finally {
    // Queued tasks are simply left in the store that is deleted; running ones are aborted by close.
    await server?.app.close();
    await server?.runtime.close(1_000);
    await driver.stop().catch(() => 0);
    await repo.cleanup();
    await rm(root, { recursive: true, force: true });
  }
}
