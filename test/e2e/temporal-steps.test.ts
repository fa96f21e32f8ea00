import { execFileSync } from 'node:child_process';
import { Client, Connection } from '@temporalio/client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { api, submitTask, waitForTask, waitForTerminal, type TaskJson } from '../helpers/api-client.js';
import { startTemporalDevServer, type TemporalDevServer } from '../helpers/temporal-server.js';
import { PYTHON_BUGGY_REPO, PYTHON_FIX_REPLY } from './fixtures.js';
import { startE2E, type E2EHarness } from './harness.js';

const running = (key: string) => (t: TaskJson) =>
  t.steps.some((s) => s.key === key && s.status === 'running');

function processesMatching(marker: string): string[] {
  return execFileSync('ps', ['-eo', 'args'])
    .toString()
    .split('\n')
    .filter((l) => l.includes(marker) && !l.startsWith('ps '));
}

async function waitFor(ready: () => boolean, ms: number, what: string): Promise<void> {
  const deadline = Date.now() + ms;
  while (!ready()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

/** Each try of a command may take this long; with no retries, so may a step (plus a minute for Temporal). */
const RUNNER_TIMEOUT_SECS = 15;

/**
 * On the temporal engine each step is an activity. With one task slot per worker (max_parallel_tasks
 * = 1) the steps a run starts side by side (the checks) still each get an activity slot: one of
 * them waits for the others, so fewer slots would stall the task.
 *
 * Each step activity has a time of its own: runner_timeout_secs per try
 * (max_step_retries + 1 tries) plus the backoff between them, a minute more for Temporal to hear of
 * its end. A step that is still going then (here the model, which answers no command timeout) fails
 * the task with STEP_TIMEOUT naming the step, instead of holding it until the task's deadline.
 */
describe('step activities on the temporal engine', () => {
  let h: E2EHarness;
  let temporal: TemporalDevServer;
  beforeAll(async () => {
    temporal = await startTemporalDevServer();
    h = await startE2E(
      { max_step_retries: 0, runner_timeout_secs: RUNNER_TIMEOUT_SECS, max_parallel_tasks: 1 },
      { temporal: { address: temporal.address, taskQueue: 'autodev-step-timeout' } },
    );
  }, 120_000);
  afterAll(async () => {
    await h?.close();
    await temporal?.close();
  }, 120_000);

  it('runs a task whose checks run side by side to its merge with one task slot', async () => {
    const repo = await h.newRepo(PYTHON_BUGGY_REPO);
    h.model.push({ text: PYTHON_FIX_REPLY });
    const created = await submitTask(h.server.baseUrl, {
      title: 'Fix add() with one slot',
      description: 'add(2, 3) must be 5.',
      repo: repo.origin,
      risk_tier: 'low',
    });
    const task = await waitForTerminal(h.server.baseUrl, created.id, 120_000);
    expect(task.error).toBeNull();
    expect(task.status).toBe('merged');
    const checks = [
      'verify.lint#1',
      'verify.secrets_scan#1',
      'verify.check_deps#1',
      'verify.check_constraints#1',
    ];
    for (const key of checks) expect(task.steps.find((s) => s.key === key)?.status, key).toBe('succeeded');
  }, 180_000);

  it('ends a running step on a cancel that reached only the store (Temporal down), as the embedded engine does', async () => {
    const marker = `autodev-cancel-store-only-${Date.now()}`;
    const repo = await h.newRepo({
      ...PYTHON_BUGGY_REPO,
      '.autodev.toml': `[commands]\ntest = "sleep 120 # ${marker}"\n`,
    });
    const created = await submitTask(h.server.baseUrl, {
      title: 'Hanging tests',
      description: '',
      repo: repo.origin,
    });
    await waitForTask(h.server.baseUrl, created.id, running('prepare.test#1'));
    await waitFor(() => processesMatching(marker).length > 0, 10_000, 'the hanging test command');
    await temporal.restart({
      whileDown: async () => {
        // The API sets the cancel flag; the workflow cannot be told, the run sees the flag itself.
        const cancel = await api(h.server.baseUrl, `/api/v1/autodev/tasks/${created.id}/cancel`, {
          method: 'POST',
        });
        expect(cancel.status).toBe(202);
        const task = await waitForTerminal(h.server.baseUrl, created.id, 10_000);
        expect(task.status).toBe('cancelled');
        expect(task.error?.code).toBe('TASK_CANCELLED');
        expect(task.steps.find((s) => s.key === 'prepare.test#1')?.error?.code).toBe('TASK_CANCELLED');
        await waitFor(() => processesMatching(marker).length === 0, 10_000, 'the test command to be killed');
      },
    });
    // Temporal back: the workflow hears how the run ended, and ends with it.
    const connection = await Connection.connect({ address: temporal.address });
    try {
      expect(await new Client({ connection }).workflow.getHandle(created.id).result()).toBe('cancelled');
    } finally {
      await connection.close();
    }
  }, 180_000);

  it('fails the task with STEP_TIMEOUT naming the step, long before the model answers', async () => {
    const repo = await h.newRepo(PYTHON_BUGGY_REPO);
    // The model answers long after the step's time.
    h.model.push({ text: PYTHON_FIX_REPLY, delayMs: 10 * RUNNER_TIMEOUT_SECS * 1000 });
    const started = Date.now();
    const created = await submitTask(h.server.baseUrl, {
      title: 'Fix add() with a slow model',
      description: 'add(2, 3) must be 5.',
      repo: repo.origin,
      risk_tier: 'low',
    });
    const task = await waitForTerminal(h.server.baseUrl, created.id, 120_000);
    expect(task.status).toBe('failed');
    expect(task.error?.code).toBe('STEP_TIMEOUT');
    expect(task.error?.message).toContain(`step implement.codegen#1 exceeded its ${RUNNER_TIMEOUT_SECS}s`);
    const codegen = task.steps.find((s) => s.key === 'implement.codegen#1');
    expect(codegen?.status).toBe('failed');
    expect(codegen?.error?.code).toBe('STEP_TIMEOUT');
    // Well before the model would have answered.
    expect(Date.now() - started).toBeLessThan(10 * RUNNER_TIMEOUT_SECS * 1000);
    expect(task.steps.some((s) => s.phase === 'deliver')).toBe(false);

    const connection = await Connection.connect({ address: temporal.address });
    try {
      const handle = new Client({ connection }).workflow.getHandle(created.id);
      expect(await handle.result()).toBe('failed');
      const events = (await handle.fetchHistory()).events ?? [];
      const codegenActivity = events.find(
        (e) => e.activityTaskScheduledEventAttributes?.activityType?.name === 'step.implement.codegen',
      )?.activityTaskScheduledEventAttributes;
      // The step's activity has the step's time (one try, no backoff) plus the minute.
      expect(Number(codegenActivity?.startToCloseTimeout?.seconds)).toBe(RUNNER_TIMEOUT_SECS + 60);
    } finally {
      await connection.close();
    }
  }, 240_000);
});
