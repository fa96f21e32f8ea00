/**
 * `npm run bench scale-out`: the temporal engine on PostgreSQL with 1, 2 and 3 `autodev worker`
 * processes behind one API-only `autodev serve`, the same batch of tasks submitted at once to each
 * (the instant scripted model, so the figure is autodev's own work: clone, setup, tests in
 * bubblewrap, push, merge). Rows: tasks per minute with k workers beside 1 worker; then the engine's
 * overhead, task time spent outside any step per step, temporal beside embedded on the same SQLite
 * store, tasks one at a time. Real Temporal dev server and PostgreSQL cluster, started here.
 */
import { mkdtempSync } from 'node:fs';
import { rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Client, Connection } from '@temporalio/client';
import protoPackage from '@temporalio/proto';
import { startE2E, E2E_MODEL_KEY, type E2EHarness } from '../test/e2e/harness.js';
import { PYTHON_BUGGY_REPO, PYTHON_FIX_REPLY } from '../test/e2e/fixtures.js';
import { api, submitTask, waitForTerminal } from '../test/helpers/api-client.js';
import { startPostgresCluster } from '../test/helpers/postgres-cluster.js';
import { startTemporalDevServer, type TemporalDevServer } from '../test/helpers/temporal-server.js';
import { startWorkerProcess, workerConfigFrom } from '../test/helpers/worker-process.js';
import type { BenchRow } from './types.js';

const WORKER_COUNTS = [1, 2, 3] as const;
/** Tasks submitted at once per worker count: 4 per worker at the most workers, so none idles. */
const BATCH = 12;
/** Per worker, as an operator would set it for a machine of this size (2 cores). */
const PARALLEL_PER_WORKER = 2;
/** Tasks run one at a time per engine for the overhead figure. */
const OVERHEAD_TASKS = 5;
const TASK_TIMEOUT_MS = 600_000;

interface Timed {
  created_at: string;
  finished_at: string | null;
  status: string;
  steps: { key: string; started_at: string; finished_at: string | null }[];
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1 ? (sorted[mid] ?? 0) : ((sorted[mid - 1] ?? 0) + (sorted[mid] ?? 0)) / 2;
}

/** Submits `count` low-risk fixes at once and waits for all; every one must merge. */
async function runBatch(h: E2EHarness, count: number): Promise<number> {
  const repos = await Promise.all(Array.from({ length: count }, () => h.newRepo(PYTHON_BUGGY_REPO)));
  h.model.push(...repos.map(() => ({ text: PYTHON_FIX_REPLY })));
  const started = performance.now();
  const created = await Promise.all(
    repos.map((repo, i) =>
      submitTask(h.server.baseUrl, {
        title: `Fix add() ${i}`,
        description: 'add(2, 3) must be 5.',
        repo: repo.origin,
        risk_tier: 'low',
      }),
    ),
  );
  const ended = await Promise.all(
    created.map((t) => waitForTerminal(h.server.baseUrl, t.id, TASK_TIMEOUT_MS)),
  );
  const elapsed = performance.now() - started;
  const failed = ended.filter((t) => t.status !== 'merged');
  if (failed.length > 0)
    throw new Error(`${failed.length} of ${count} tasks did not merge: ${failed[0]?.id}`);
  return elapsed;
}

/** Milliseconds covered by at least one of the intervals (steps may overlap: checks run side by side). */
function coveredMs(intervals: [number, number][]): number {
  let covered = 0;
  let end = -Infinity;
  for (const [from, to] of [...intervals].sort((a, b) => a[0] - b[0])) {
    if (to <= end) continue;
    covered += to - Math.max(from, end);
    end = to;
  }
  return covered;
}

/** Where a step's trips through the Temporal server go, from a task workflow's history (medians, ms). */
interface Trips {
  /** A workflow task scheduled (the previous step's activity completed) until a worker took it. */
  workflowTaskDispatch: number;
  /** A workflow task taken until its completion (the next step's activity scheduled) reached the server. */
  workflowTaskProcessing: number;
  /** An activity scheduled until a worker took it (0 when dispatched eagerly with the workflow task's answer). */
  activityDispatch: number;
  /**
   * A step's activity taken until its completion reached the server, less the step's own time: the
   * activity handed from Temporal's core to Node and back, the run's bookkeeping, the completion's trip.
   */
  activityAroundStep: number;
}

// A CommonJS package: its namespaces come through the default export under Node's ESM loader.
const proto = protoPackage.temporal;
type HistoryEvent = protoPackage.temporal.api.history.v1.IHistoryEvent;
type EventTypeValue = protoPackage.temporal.api.enums.v1.EventType;
const EventType = proto.api.enums.v1.EventType;

function eventMs(event: HistoryEvent): number {
  return Number(event.eventTime?.seconds ?? 0) * 1000 + Number(event.eventTime?.nanos ?? 0) / 1e6;
}

/** The step key a step activity's input names (its first argument, JSON). */
function stepKeyOf(scheduled: HistoryEvent | undefined): string | undefined {
  const data = scheduled?.activityTaskScheduledEventAttributes?.input?.payloads?.[0]?.data;
  if (!data) return undefined;
  const input = JSON.parse(Buffer.from(data).toString('utf8')) as { key?: unknown };
  return typeof input.key === 'string' ? input.key : undefined;
}

/** The trips of a finished task workflow, from the event times the server recorded and its steps'. */
async function tripsOf(address: string, task: Timed & { id: string }): Promise<Trips> {
  const connection = await Connection.connect({ address });
  try {
    const history = await new Client({ connection }).workflow.getHandle(task.id).fetchHistory();
    const events = history.events ?? [];
    const byId = new Map(events.map((e) => [String(e.eventId), e]));
    const gaps = (from: EventTypeValue, to: EventTypeValue) =>
      events.flatMap((e, i) => {
        const next = events[i + 1];
        return e.eventType === from && next?.eventType === to ? [eventMs(next) - eventMs(e)] : [];
      });
    const activityDispatch = events.flatMap((e) => {
      if (e.eventType !== EventType.EVENT_TYPE_ACTIVITY_TASK_STARTED) return [];
      const scheduled = byId.get(String(e.activityTaskStartedEventAttributes?.scheduledEventId));
      return scheduled ? [eventMs(e) - eventMs(scheduled)] : [];
    });
    const startedBy = new Map(
      events
        .filter((e) => e.eventType === EventType.EVENT_TYPE_ACTIVITY_TASK_STARTED)
        .map((e) => [String(e.activityTaskStartedEventAttributes?.scheduledEventId), e]),
    );
    const stepsByKey = new Map(task.steps.map((step) => [step.key, step]));
    const activityAroundStep = events.flatMap((e) => {
      if (e.eventType !== EventType.EVENT_TYPE_ACTIVITY_TASK_COMPLETED) return [];
      const scheduledId = String(e.activityTaskCompletedEventAttributes?.scheduledEventId);
      const step = stepsByKey.get(stepKeyOf(byId.get(scheduledId)) ?? '');
      const started = startedBy.get(scheduledId);
      if (!step?.finished_at || !started) return [];
      const stepMs = Date.parse(step.finished_at) - Date.parse(step.started_at);
      return [eventMs(e) - eventMs(started) - stepMs];
    });
    return {
      workflowTaskDispatch: median(
        gaps(EventType.EVENT_TYPE_WORKFLOW_TASK_SCHEDULED, EventType.EVENT_TYPE_WORKFLOW_TASK_STARTED),
      ),
      workflowTaskProcessing: median(
        gaps(EventType.EVENT_TYPE_WORKFLOW_TASK_STARTED, EventType.EVENT_TYPE_WORKFLOW_TASK_COMPLETED),
      ),
      activityDispatch: median(activityDispatch),
      activityAroundStep: median(activityAroundStep),
    };
  } finally {
    await connection.close();
  }
}

/**
 * A task's time, from submission to its end, during which none of its steps ran (the engine's
 * dispatch, wake-ups and bookkeeping), divided by its steps; on temporal, its trips (stderr).
 */
async function overheadPerStep(h: E2EHarness, temporalAddress?: string): Promise<number> {
  const repo = await h.newRepo(PYTHON_BUGGY_REPO);
  h.model.push({ text: PYTHON_FIX_REPLY });
  const created = await submitTask(h.server.baseUrl, {
    title: 'Fix add()',
    description: 'add(2, 3) must be 5.',
    repo: repo.origin,
    risk_tier: 'low',
  });
  await waitForTerminal(h.server.baseUrl, created.id, TASK_TIMEOUT_MS);
  const task = (await api(h.server.baseUrl, `/api/v1/autodev/tasks/${created.id}`)).body as Timed & {
    id: string;
  };
  if (task.status !== 'merged' || task.finished_at === null)
    throw new Error(`task ${created.id}: ${task.status}`);
  const total = Date.parse(task.finished_at) - Date.parse(task.created_at);
  const steps = task.steps.flatMap((s): [number, number][] =>
    s.finished_at === null ? [] : [[Date.parse(s.started_at), Date.parse(s.finished_at)]],
  );
  const perStep = (total - coveredMs(steps)) / task.steps.length;
  if (temporalAddress !== undefined) {
    const trips = await tripsOf(temporalAddress, task);
    const ms = (n: number) => `${n.toFixed(1)} ms`;
    console.error(
      `overhead: temporal ${ms(perStep)} per step; trips (medians): workflow task dispatch ` +
        `${ms(trips.workflowTaskDispatch)}, processing ${ms(trips.workflowTaskProcessing)}, ` +
        `activity dispatch ${ms(trips.activityDispatch)}, activity around its step ${ms(trips.activityAroundStep)}`,
    );
  }
  return perStep;
}

async function scaleOut(temporal: TemporalDevServer): Promise<Map<number, number>> {
  const cluster = await startPostgresCluster();
  const h = await startE2E(
    { max_step_retries: 1, max_parallel_tasks: PARALLEL_PER_WORKER },
    {
      storeUrl: await cluster.createDatabase(),
      temporal: { address: temporal.address, taskQueue: 'bench-scale-out', apiOnly: true },
    },
  );
  const perMinute = new Map<number, number>();
  try {
    for (const count of WORKER_COUNTS) {
      const dirs = Array.from({ length: count }, (_, i) => mkdtempSync(join(tmpdir(), `bench-worker-${i}-`)));
      const workers = await Promise.all(
        dirs.map((dir) => startWorkerProcess(workerConfigFrom(h.server.configFile, dir), { E2E_MODEL_KEY })),
      );
      try {
        const elapsed = await runBatch(h, BATCH);
        perMinute.set(count, BATCH / (elapsed / 60_000));
        console.error(`scale-out: ${count} worker(s), ${BATCH} tasks in ${(elapsed / 1000).toFixed(1)} s`);
      } finally {
        await Promise.all(workers.map((w) => w.stop()));
        await Promise.all(dirs.map((d) => rm(d, { recursive: true, force: true })));
      }
    }
  } finally {
    await h.close();
    await cluster.destroy();
  }
  return perMinute;
}

async function overheads(temporal: TemporalDevServer): Promise<{ embedded: number; temporal: number }> {
  const measure = async (h: E2EHarness, temporalAddress?: string) => {
    try {
      const samples: number[] = [];
      for (let i = 0; i < OVERHEAD_TASKS; i += 1) samples.push(await overheadPerStep(h, temporalAddress));
      return median(samples);
    } finally {
      await h.close();
    }
  };
  const settings = { max_step_retries: 1 };
  const embedded = await measure(await startE2E(settings));
  const onTemporal = await measure(
    await startE2E(settings, { temporal: { address: temporal.address, taskQueue: 'bench-overhead' } }),
    temporal.address,
  );
  return { embedded, temporal: onTemporal };
}

export async function bench(): Promise<BenchRow[]> {
  // AUTODEV_SCALE_OUT_ONLY=overhead skips the throughput rows (minutes of tasks) for the overhead alone.
  const overheadOnly = process.env['AUTODEV_SCALE_OUT_ONLY'] === 'overhead';
  const temporal = await startTemporalDevServer();
  try {
    const perMinute = overheadOnly ? new Map<number, number>() : await scaleOut(temporal);
    const overhead = await overheads(temporal);
    const one = perMinute.get(1) ?? 0;
    const rows: BenchRow[] = [...perMinute.keys()].map((count) => {
      const value = perMinute.get(count) ?? 0;
      return {
        name: `temporal + PostgreSQL, ${count} worker process${count > 1 ? 'es' : ''}, ${BATCH} tasks at once`,
        baseline: '1 worker process',
        value,
        baselineValue: one,
        unit: 'tasks/min',
        ratio: one > 0 ? value / one : 0,
        runs: 1,
        notes: `max_parallel_tasks = ${PARALLEL_PER_WORKER} per worker, instant scripted model, one machine`,
      };
    });
    rows.push({
      name: 'engine overhead per step (task time with no step running / steps), temporal',
      baseline: 'embedded',
      value: overhead.temporal,
      baselineValue: overhead.embedded,
      unit: 'ms',
      ratio: overhead.embedded > 0 ? overhead.temporal / overhead.embedded : 0,
      runs: OVERHEAD_TASKS,
      notes: 'median of tasks run one at a time, SQLite store, serve --with-worker',
    });
    return rows;
  } finally {
    await temporal.close();
  }
}
