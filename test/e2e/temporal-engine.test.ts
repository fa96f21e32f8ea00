import { mkdtempSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Client, Connection } from '@temporalio/client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { api, submitTask, waitForTask, waitForTerminal, type TaskJson } from '../helpers/api-client.js';
import { runCli } from '../helpers/cli-process.js';
import { startTemporalDevServer, type TemporalDevServer } from '../helpers/temporal-server.js';
import { PYTHON_BUGGY_REPO, PYTHON_FIX_REPLY } from './fixtures.js';
import { gateWaiting, pythonGate, startGateKeeper, WORKSPACE_GATES } from './gates.js';
import { startE2E, type E2EHarness } from './harness.js';

const running = (key: string) => (t: TaskJson) =>
  t.steps.some((s) => s.key === key && s.status === 'running');

async function closedPort(): Promise<number> {
  return new Promise((resolvePort) => {
    const server = createServer();
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() => resolvePort(typeof address === 'object' && address ? address.port : 1));
    });
  });
}

/** Runs of the task's workflow (its id is the task id) on the Temporal server, and the result of the last. */
async function workflowRuns(address: string, taskId: string): Promise<{ runs: number; result: unknown }> {
  const connection = await Connection.connect({ address });
  try {
    const client = new Client({ connection });
    let runs = 0;
    for await (const _ of client.workflow.list({ query: `WorkflowId = '${taskId}'` })) runs += 1;
    return { runs, result: await client.workflow.getHandle(taskId).result() };
  } finally {
    await connection.close();
  }
}

/** The task queues the task's runs and their steps were scheduled on (a worker's own queue each). */
async function runQueues(address: string, taskId: string): Promise<string[]> {
  const connection = await Connection.connect({ address });
  try {
    const history = await new Client({ connection }).workflow.getHandle(taskId).fetchHistory();
    return (history.events ?? []).flatMap((e) => {
      const scheduled = e.activityTaskScheduledEventAttributes;
      const name = scheduled?.activityType?.name ?? '';
      return name === 'startTaskRun' || name.startsWith('step.') ? [scheduled?.taskQueue?.name ?? ''] : [];
    });
  } finally {
    await connection.close();
  }
}

async function waitFor(ready: () => boolean, ms: number, what: string): Promise<void> {
  const deadline = Date.now() + ms;
  while (!ready()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

function configFile(toml: string): string {
  const file = join(mkdtempSync(join(tmpdir(), 'autodev-engine-cfg-')), 'config.toml');
  writeFileSync(file, toml);
  return file;
}

describe('the temporal engine: start-up checks', () => {
  it('serve and worker say Temporal is unreachable, at which address, and exit non-zero', async () => {
    const address = `127.0.0.1:${await closedPort()}`;
    const dataDir = mkdtempSync(join(tmpdir(), 'autodev-engine-data-'));
    const file = configFile(
      `[autodev]\ndata_dir = "${dataDir}"\n\n[autodev.engine]\nkind = "temporal"\naddress = "${address}"\n`,
    );
    for (const args of [
      ['serve', '--config', file, '--port', '0'],
      ['worker', '--config', file],
    ]) {
      const result = await runCli(args);
      expect(result.code, args[0]).not.toBe(0);
      expect(result.stderr).toContain('ENGINE_UNREACHABLE');
      expect(result.stderr).toContain(`Temporal is unreachable at ${address}`);
    }
  }, 60_000);

  it('refuses a bad engine setting by its key, and a worker without the temporal engine', async () => {
    const bad = configFile('[autodev.engine]\nkind = "celery"\n');
    const refused = await runCli(['worker', '--config', bad]);
    expect(refused.code).not.toBe(0);
    expect(refused.stderr).toMatch(/CONFIG_INVALID.*autodev\.engine\.kind/s);

    const embedded = configFile('[autodev]\ndata_dir = "/tmp/autodev-unused"\n');
    const worker = await runCli(['worker', '--config', embedded]);
    expect(worker.code).not.toBe(0);
    expect(worker.stderr).toContain('[autodev.engine] kind: autodev worker needs "temporal"');

    const env = await runCli(['worker', '--config', embedded], { AUTODEV_TEMPORAL_ADDRESS: 'http://x:1/' });
    expect(env.stderr).toContain('AUTODEV_TEMPORAL_ADDRESS="http://x:1/": expected host:port');
  }, 60_000);
});

describe('the temporal engine: a piece killed mid-task', () => {
  let h: E2EHarness;
  let temporal: TemporalDevServer;
  beforeAll(async () => {
    temporal = await startTemporalDevServer();
    h = await startE2E({ max_step_retries: 1 }, { temporal: { address: temporal.address } });
  }, 120_000);
  afterAll(async () => {
    await h?.close();
    await temporal?.close();
  }, 120_000);

  it('resumes on the new worker from the checkpoints: one workflow, one model call, one commit, merged', async () => {
    const repo = await h.newRepo({
      ...PYTHON_BUGGY_REPO,
      'test_calc.py': `import time\n\ntime.sleep(3)\n\n${PYTHON_BUGGY_REPO['test_calc.py']}`,
    });
    h.model.push({ text: PYTHON_FIX_REPLY });
    const calls = h.model.requests.length;
    const created = await submitTask(h.server.baseUrl, {
      title: 'Fix add() while workers die',
      description: 'add(2, 3) must be 5.',
      repo: repo.origin,
      risk_tier: 'low',
    });
    await waitForTask(h.server.baseUrl, created.id, running('verify.test#1'));
    // kill -9 of the API and its worker mid-command; the new process starts the same task's
    // workflow again (signal-with-start on the task id), which must not make a second one.
    await h.restart();
    const task = await waitForTerminal(h.server.baseUrl, created.id, 150_000);
    expect(task.error).toBeNull();
    expect(task.status).toBe('merged');
    expect(h.model.requests.length - calls).toBe(1);
    expect(task.steps.filter((s) => s.tool === 'codegen')).toHaveLength(1);
    const events = (await api(h.server.baseUrl, `/api/v1/autodev/tasks/${created.id}/events`)).body as {
      events: { type: string; data: Record<string, unknown> }[];
    };
    const reused = events.events.filter((e) => e.type === 'step.reused').map((e) => e.data.key);
    expect(reused).toEqual(expect.arrayContaining(['plan.plan#1', 'implement.codegen#1']));
    expect(events.events.filter((e) => e.type === 'pr.merged')).toHaveLength(1);
    // The second run is counted where everyone reads it, as the embedded engine counts its re-claim.
    expect(task.attempt).toBe(2);
    expect(events.events.filter((e) => e.type === 'task.resumed').map((e) => e.data.attempt)).toEqual([2]);

    expect(await workflowRuns(temporal.address, created.id)).toEqual({ runs: 1, result: 'merged' });
    // The runs went to the dead worker's own queue, then (claimed again) to the new worker's.
    const queues = new Set(await runQueues(temporal.address, created.id));
    expect(queues.size).toBe(2);
    for (const queue of queues) expect(queue).toMatch(/-worker-/);
  }, 200_000);

  it('completes once when the Temporal server is killed and restarted (same db file) while the tests run', async () => {
    // The verify run of the tests stops at a gate held shut until the server is back: the restart
    // lands mid-command however loaded the machine (the baseline's run of the same tests passes).
    const repo = await h.newRepo({
      ...PYTHON_BUGGY_REPO,
      '.gitignore': `${WORKSPACE_GATES}/\n`,
      'test_calc.py': `${pythonGate('test')}\n${PYTHON_BUGGY_REPO['test_calc.py']}`,
    });
    h.model.push({ text: PYTHON_FIX_REPLY });
    const calls = h.model.requests.length;
    let taskId: string | undefined;
    const keeper = startGateKeeper(async (name) => {
      if (name !== 'test' || taskId === undefined) return false;
      const { body } = await api(h.server.baseUrl, `/api/v1/autodev/tasks/${taskId}`);
      return running('verify.test#1')(body as TaskJson);
    });
    try {
      const created = await submitTask(h.server.baseUrl, {
        title: 'Fix add() while Temporal restarts',
        description: 'add(2, 3) must be 5.',
        repo: repo.origin,
        risk_tier: 'low',
      });
      taskId = created.id;
      const gates = join(h.dataDir, 'workspaces', created.id, WORKSPACE_GATES);
      keeper.watch(gates);
      await waitForTask(h.server.baseUrl, created.id, running('verify.test#1'), 120_000);
      await waitFor(() => gateWaiting(gates, 'test'), 60_000, 'the verify tests at their gate');

      await temporal.restart();
      keeper.openAll();

      const task = await waitForTerminal(h.server.baseUrl, created.id, 150_000);
      expect(task.error).toBeNull();
      expect(task.status).toBe('merged');
      expect(await repo.readFileAt('main', 'calc.py')).toContain('return a + b');
      expect(h.model.requests.length - calls).toBe(1);
      expect(task.steps.filter((s) => s.tool === 'codegen')).toHaveLength(1);
      expect(task.steps.filter((s) => s.tool === 'git_apply')).toHaveLength(1);
      const events = (await api(h.server.baseUrl, `/api/v1/autodev/tasks/${created.id}/events`)).body as {
        events: { type: string }[];
      };
      expect(events.events.filter((e) => e.type === 'pr.opened')).toHaveLength(1);
      expect(events.events.filter((e) => e.type === 'pr.merged')).toHaveLength(1);
      expect(await workflowRuns(temporal.address, created.id)).toEqual({ runs: 1, result: 'merged' });
    } finally {
      await keeper.stop();
    }
  }, 300_000);
});
