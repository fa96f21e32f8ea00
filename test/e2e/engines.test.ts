import { execFileSync } from 'node:child_process';
import { writeFile } from 'node:fs/promises';
import { resolve } from 'node:path';
import { Client, Connection, defaultPayloadConverter } from '@temporalio/client';
import type { temporal as proto } from '@temporalio/proto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { api, as, submitTask, waitForTask, waitForTerminal, type TaskJson } from '../helpers/api-client.js';
import { startTemporalDevServer, type TemporalDevServer } from '../helpers/temporal-server.js';
import { PYTHON_BUGGY_REPO, PYTHON_FIX_REPLY } from './fixtures.js';
import {
  greetingEdit,
  NPM_LIBRARY_REPO,
  npmConsumerRepo,
  repoNameOf,
  welcomeEdit,
} from './multi-repo-fixtures.js';
import { startE2E, type E2EHarness } from './harness.js';
import { approveMediumFix } from './task-journey.js';

/** Where the replay test (test/engine/temporal-replay.test.ts) reads the recorded history from. */
// Today's workflow (each step an activity on a worker's own queue); the histories of the workflows
// started before (low-risk-merged*.history.json) stay, and must keep replaying.
const HISTORY_FIXTURE = resolve(
  import.meta.dirname,
  '../fixtures/temporal/low-risk-merged-step-activities.history.json',
);

interface ScheduledActivity {
  name: string;
  queue: string;
  input: unknown;
}

/** The activities the workflow scheduled, in order, with their task queue and (decoded) input. */
function scheduledActivities(history: proto.api.history.v1.IHistory): ScheduledActivity[] {
  return (history.events ?? []).flatMap((e) => {
    const scheduled = e.activityTaskScheduledEventAttributes;
    if (!scheduled) return [];
    const payload = scheduled.input?.payloads?.[0];
    return [
      {
        name: scheduled.activityType?.name ?? '',
        queue: scheduled.taskQueue?.name ?? '',
        input: payload
          ? defaultPayloadConverter.fromPayload(
              payload as Parameters<typeof defaultPayloadConverter.fromPayload>[0],
            )
          : undefined,
      },
    ];
  });
}

/** The model's edit of the user's own file, `welcome.js`, in the repository it names. */
const running = (key: string) => (t: TaskJson) =>
  t.steps.some((s) => s.key === key && s.status === 'running');

function processesMatching(marker: string): string[] {
  return execFileSync('ps', ['-eo', 'args'])
    .toString()
    .split('\n')
    .filter((l) => l.includes(marker) && !l.startsWith('ps '));
}

async function waitFor(condition: () => boolean, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error(`condition not met in ${timeoutMs} ms`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

/** The result of the task's workflow (its id is the task id). */
async function workflowResult(address: string, taskId: string): Promise<unknown> {
  const connection = await Connection.connect({ address });
  try {
    return await new Client({ connection }).workflow.getHandle(taskId).result();
  } finally {
    await connection.close();
  }
}

async function eventTypes(baseUrl: string, id: string): Promise<string[]> {
  const { body } = await api(baseUrl, `/api/v1/autodev/tasks/${id}/events`);
  return (body as { events: { type: string }[] }).events.map((e) => e.type);
}

/**
 * The same journeys, with the same assertions, on both engines: the orchestrator is one code and the
 * engine only decides where it runs. The temporal runs go through a real dev server and a worker.
 */
describe.each(['embedded', 'temporal'] as const)('journeys on the %s engine', (engine) => {
  let h: E2EHarness;
  let temporal: TemporalDevServer | undefined;
  beforeAll(async () => {
    if (engine === 'temporal') temporal = await startTemporalDevServer();
    h = await startE2E(
      { max_step_retries: 1 },
      // Named users: approvals count only from them.
      { auth: true, ...(temporal ? { temporal: { address: temporal.address } } : {}) },
    );
  }, 120_000);
  afterAll(async () => {
    await h?.close();
    await temporal?.close();
  }, 120_000);

  it('fixes a low-risk task and merges it', async () => {
    const repo = await h.newRepo(PYTHON_BUGGY_REPO);
    h.model.push({ text: PYTHON_FIX_REPLY, usage: { input: 1200, output: 80 } });
    const calls = h.model.requests.length;
    const created = await submitTask(h.server.baseUrl, {
      title: 'Fix add() in calc',
      description: 'add(2, 3) returns -1; it must return 5.',
      repo: repo.origin,
      risk_tier: 'low',
    });
    expect(created.status).toBe('queued');

    const task = await waitForTerminal(h.server.baseUrl, created.id);
    expect(task.error).toBeNull();
    expect(task.status).toBe('merged');
    expect(task.pr).toMatchObject({ status: 'merged', branch: task.branch });
    // One run, counted by either engine.
    expect(task.attempt).toBe(1);
    expect(await repo.readFileAt('main', 'calc.py')).toContain('return a + b');
    expect(await repo.branchCommit('main')).toBe(await repo.branchCommit(task.branch ?? ''));
    const verify = task.steps.find((s) => s.key === 'verify.test#1');
    expect(verify?.output_summary).toMatch(/passed: python \(\.\): 2 passed, 0 failed/);
    // One model call, one commit of the change: nothing ran twice.
    expect(h.model.requests.length - calls).toBe(1);
    expect(task.steps.filter((s) => s.tool === 'git_apply')).toHaveLength(1);
    const types = await eventTypes(h.server.baseUrl, created.id);
    expect(types).toEqual(expect.arrayContaining(['policy.decision', 'pr.opened', 'pr.merged']));

    if (temporal) {
      expect(await workflowResult(temporal.address, created.id)).toBe('merged');
      const connection = await Connection.connect({ address: temporal.address });
      try {
        const handle = new Client({ connection }).workflow.getHandle(created.id);
        // The workflow is the task: its id is the task id, and it ended with the task's status.
        expect(await handle.result()).toBe('merged');
        const history = await handle.fetchHistory();
        // Each step of the run was an activity of its own, named after its phase and tool, with the
        // step's key as input, in the order the task's steps ran, all on the claiming worker's queue.
        const activities = scheduledActivities(history);
        expect(activities.slice(0, 2).map((a) => a.name)).toEqual(['claimWorker', 'startTaskRun']);
        const steps = activities.slice(2);
        const keyOf = (a: ScheduledActivity) => (a.input as { key: string }).key;
        // The checks run side by side, so the store may record their starts in another order.
        expect(steps.map(keyOf).sort()).toEqual(task.steps.map((s) => s.key).sort());
        for (const step of steps) {
          const recorded = task.steps.find((s) => s.key === keyOf(step));
          expect(step.name).toBe(`step.${recorded?.phase}.${recorded?.tool}`);
          expect(step.input).toMatchObject({ taskId: created.id, key: recorded?.key });
        }
        expect(steps.length).toBeGreaterThan(10);
        expect(new Set(activities.slice(1).map((a) => a.queue)).size).toBe(1);
        expect(activities[1]?.queue).toMatch(/-worker-/);
        // AUTODEV_RECORD_HISTORY=1 records this journey's history for the replay test.
        if (process.env['AUTODEV_RECORD_HISTORY'] === '1') {
          await writeFile(HISTORY_FIXTURE, `${JSON.stringify(history, null, 1)}\n`);
        }
      } finally {
        await connection.close();
      }
    }
  });

  it('leaves a medium-risk task for review, then merges it on an approval', async () => {
    const { repo, taskId, mainBefore } = await approveMediumFix(h);
    const merged = await waitForTask(h.server.baseUrl, taskId, (t) => t.status === 'merged', 60_000);
    expect(merged.pr?.status).toBe('merged');
    expect(await repo.branchCommit('main')).not.toBe(mainBefore);
    expect(await repo.branchCommit('main')).toBe(await repo.branchCommit(merged.branch ?? ''));
    // The merge signalled the waiting workflow, which ended with the task.
    if (temporal) expect(await workflowResult(temporal.address, taskId)).toBe('merged');
  });

  it('runs a task of several repositories to its merge: the consumer built against the changed library, each pull request merged, the library first', async () => {
    const library = await h.newRepo(NPM_LIBRARY_REPO);
    const consumer = await h.newRepo(await npmConsumerRepo());
    const heads = [await library.branchCommit('main'), await consumer.branchCommit('main')];
    const name = repoNameOf(consumer.origin, 2);
    h.model.push(greetingEdit('hi'), welcomeEdit(name, '', "module.exports = 'hi';\n"), {
      text: 'The library and its user greet anew.',
    });
    const created = await submitTask(h.server.baseUrl, {
      title: 'Greet with hi in the library and its user',
      repos: [
        { repo: library.origin, role: 'library' },
        { repo: consumer.origin, role: 'consumer' },
      ],
    });
    const task = await waitForTerminal(h.server.baseUrl, created.id);
    const linked = task.steps.find((s) => s.key === `verify.test@${name}#1`);
    expect(linked?.output_summary).toMatch(/^passed: linked to greetlib \(npm\)/);
    expect(task.status).toBe('merged');
    expect(task.pull_requests.map((pr) => [pr.role, pr.status])).toEqual([
      ['library', 'merged'],
      ['consumer', 'merged'],
    ]);
    const after = [await library.branchCommit('main'), await consumer.branchCommit('main')];
    expect(after).toEqual(task.pull_requests.map((pr) => pr.merge_commit));
    expect(after[1]).not.toBe(heads[1]);
    const keys = task.steps.map((s) => s.key);
    expect(keys.indexOf(`deliver.pr_merge@${name}#1`)).toBeGreaterThan(keys.indexOf('deliver.pr_merge#1'));
  });

  /** A medium-risk library change and its user's own file, on review: both pull requests open. */
  async function twoReposOnReview() {
    const library = await h.newRepo(NPM_LIBRARY_REPO);
    const consumer = await h.newRepo(await npmConsumerRepo());
    const before = [await library.branchCommit('main'), await consumer.branchCommit('main')];
    const name = repoNameOf(consumer.origin, 2);
    h.model.push(greetingEdit('hi'), welcomeEdit(name, '', "module.exports = 'hi';\n"), {
      text: 'The library and its user greet anew.',
    });
    const created = await submitTask(h.server.baseUrl, {
      title: 'Greet with hi, reviewed',
      risk_tier: 'medium',
      repos: [
        { repo: library.origin, role: 'library' },
        { repo: consumer.origin, role: 'consumer' },
      ],
    });
    const waiting = await waitForTerminal(h.server.baseUrl, created.id, 120_000);
    expect(waiting.status, JSON.stringify(waiting.error)).toBe('awaiting_review');
    expect(waiting.pull_requests.map((pr) => [pr.role, pr.status])).toEqual([
      ['library', 'open'],
      ['consumer', 'open'],
    ]);
    expect([await library.branchCommit('main'), await consumer.branchCommit('main')]).toEqual(before);
    const mains = async () => [await library.branchCommit('main'), await consumer.branchCommit('main')];
    return { library, consumer, name, id: created.id, before, waiting, mains };
  }

  const reviewAct = (id: string, act: 'approve' | 'request-changes', comment: string) =>
    api(h.server.baseUrl, `/api/v1/autodev/prs/${id}/${act}`, {
      method: 'POST',
      body: JSON.stringify({ comment }),
      headers: as('alice'),
    });

  /** The task's end after the approval: the merge run is queued and run by this engine's scheduler. */
  const mergeRunEnd = (id: string) =>
    waitForTask(h.server.baseUrl, id, (t) => ['merged', 'failed', 'closed'].includes(t.status), 180_000);

  it('leaves a medium-risk task of two repositories for review, then merges both on one approval, the library first', async () => {
    const { library, consumer, name, id, before, mains } = await twoReposOnReview();
    const approved = await reviewAct(id, 'approve', 'both look right');
    expect(approved.status, approved.text).toBe(200);
    const merged = await mergeRunEnd(id);
    expect(merged.status, JSON.stringify(merged.error)).toBe('merged');
    expect(merged.pull_requests.map((pr) => [pr.role, pr.status])).toEqual([
      ['library', 'merged'],
      ['consumer', 'merged'],
    ]);
    const after = await mains();
    expect(after).toEqual(merged.pull_requests.map((pr) => pr.merge_commit));
    expect(after[0]).not.toBe(before[0]);
    expect(after[1]).not.toBe(before[1]);
    expect(await library.readFileAt('main', 'index.js')).toContain('hi');
    expect(await consumer.readFileAt('main', 'welcome.js')).toBe("module.exports = 'hi';\n");
    const keys = merged.steps.map((s) => s.key);
    expect(keys).toContain('merge.pr_merge#1');
    expect(keys.indexOf(`merge.pr_merge@${name}#1`)).toBeGreaterThan(keys.indexOf('merge.pr_merge#1'));
    const types = await eventTypes(h.server.baseUrl, id);
    expect(types.indexOf('pr.merge_requested')).toBeGreaterThan(types.indexOf('pr.approved'));
    expect(types.filter((t) => t === 'pr.merge_requested')).toHaveLength(1);
    expect(types.filter((t) => t === 'pr.merged')).toHaveLength(1);
    expect(types.filter((t) => t === 'pr.repo_merged')).toHaveLength(1);
    // The merge run woke the waiting workflow, which ended with the task.
    if (temporal) expect(await workflowResult(temporal.address, id)).toBe('merged');
  }, 300_000);

  it("answers a change request on the user's file with a review round, then merges the round's heads", async () => {
    const { consumer, name, id, waiting, mains } = await twoReposOnReview();
    const [libraryHead, consumerHead] = waiting.pull_requests.map((pr) => pr.head_commit);
    h.model.push(welcomeEdit(name, "module.exports = 'hi';\n", "module.exports = 'hi there';\n"), {
      text: 'welcome.js says hi there.',
    });
    const asked = await reviewAct(id, 'request-changes', "The user's welcome.js should say 'hi there'.");
    expect(asked.status, asked.text).toBe(200);
    // The round runs on this engine (its steps review.<tool>@<repo>#1), then the task waits again.
    const answered = await waitForTask(
      h.server.baseUrl,
      id,
      (t) =>
        t.steps.some((s) => s.key.startsWith('review.')) && ['awaiting_review', 'failed'].includes(t.status),
      180_000,
    );
    expect(answered.status, JSON.stringify(answered.error)).toBe('awaiting_review');
    expect(answered.error).toBeNull();
    expect(answered.steps.find((s) => s.key === `review.git_push@${name}#1`)?.status).toBe('succeeded');
    const roundHeads = answered.pull_requests.map((pr) => pr.head_commit);
    expect(roundHeads[0]).toBe(libraryHead);
    expect(roundHeads[1]).not.toBe(consumerHead);

    expect((await reviewAct(id, 'approve', 'the round did it')).status).toBe(200);
    const merged = await mergeRunEnd(id);
    expect(merged.status, JSON.stringify(merged.error)).toBe('merged');
    // The local forge fast-forwards: each main is its pull request's head after the round.
    expect(await mains()).toEqual(roundHeads);
    expect(await consumer.readFileAt('main', 'welcome.js')).toBe("module.exports = 'hi there';\n");
    if (temporal) expect(await workflowResult(temporal.address, id)).toBe('merged');
  }, 300_000);

  it('cancels a task while its test command runs, killing the command', async () => {
    const marker = `autodev-hang-${engine}-${Date.now()}`;
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
    // The step is marked running a moment before the sandbox spawns the command.
    await waitFor(() => processesMatching(marker).length > 0, 10_000);
    const cancel = await api(h.server.baseUrl, `/api/v1/autodev/tasks/${created.id}/cancel`, {
      method: 'POST',
    });
    expect(cancel.status).toBe(202);
    const task = await waitForTerminal(h.server.baseUrl, created.id, 15_000);
    expect(task.status).toBe('cancelled');
    expect(task.error?.code).toBe('TASK_CANCELLED');
    expect(task.steps.find((s) => s.key === 'prepare.test#1')?.error?.code).toBe('TASK_CANCELLED');
    // Within seconds, nothing of the hanging test is left: the sandbox's whole tree is gone.
    await waitFor(() => processesMatching(marker).length === 0, 5_000);
    expect(processesMatching(marker)).toEqual([]);
    const again = await api(h.server.baseUrl, `/api/v1/autodev/tasks/${created.id}/cancel`, {
      method: 'POST',
    });
    expect(again.status).toBe(409);
    if (temporal) expect(await workflowResult(temporal.address, created.id)).toBe('cancelled');
  });
});
