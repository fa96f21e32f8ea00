import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { afterEach, describe, expect, it } from 'vitest';
import { z } from 'zod';
import {
  parseErrorBody,
  parseTaskBody,
  parseTaskList,
  seedTask,
  startTestRuntime,
  TASKS,
  type TestRuntime,
} from '../helpers/runtime.js';

const eventList = z.object({ events: z.array(z.object({ type: z.string(), data: z.unknown() })) });

let t: TestRuntime | undefined;
afterEach(async () => {
  await t?.close();
  t = undefined;
});

describe('POST /tasks/{id}/cancel', () => {
  it('ends a queued task at once (202, cancelled), then refuses a second cancel with 409 and the status', async () => {
    // Enabled, but the scheduler never started: the task stays queued until cancelled.
    t = await startTestRuntime({ configToml: '[autodev]\nenabled = true\n' });
    const created = await t.app.inject({ method: 'POST', url: TASKS, payload: seedTask() });
    expect(created.statusCode).toBe(201);
    const { id } = parseTaskBody(created.body);

    const cancel = await t.app.inject({ method: 'POST', url: `${TASKS}/${id}/cancel` });
    expect(cancel.statusCode).toBe(202);
    const cancelled = parseTaskBody(cancel.body);
    expect(cancelled.status).toBe('cancelled');
    expect(cancelled.error?.code).toBe('TASK_CANCELLED');

    const stored = parseTaskBody((await t.app.inject({ method: 'GET', url: `${TASKS}/${id}` })).body);
    expect(stored.status).toBe('cancelled');

    const again = await t.app.inject({ method: 'POST', url: `${TASKS}/${id}/cancel` });
    expect(again.statusCode).toBe(409);
    const error = parseErrorBody(again.body);
    expect(error.code).toBe('TASK_NOT_CANCELLABLE');
    expect(error.details).toEqual({ status: 'cancelled' });
    expect(error.message).toContain('cancelled');

    const events = eventList.parse(
      JSON.parse((await t.app.inject({ method: 'GET', url: `${TASKS}/${id}/events` })).body),
    );
    expect(events.events.map((e) => e.type)).toEqual([
      'task.created',
      'task.cancel_requested',
      'task.status_changed',
    ]);
    expect(events.events[2]?.data).toMatchObject({ from: 'queued', to: 'cancelled' });
  });

  it('leaves other queued tasks alone', async () => {
    t = await startTestRuntime();
    const a = parseTaskBody((await t.app.inject({ method: 'POST', url: TASKS, payload: seedTask() })).body);
    const b = parseTaskBody((await t.app.inject({ method: 'POST', url: TASKS, payload: seedTask() })).body);
    expect((await t.app.inject({ method: 'POST', url: `${TASKS}/${a.id}/cancel` })).statusCode).toBe(202);
    const other = parseTaskBody((await t.app.inject({ method: 'GET', url: `${TASKS}/${b.id}` })).body);
    expect(other.status).toBe('queued');
  });
});

describe('the kill switch', () => {
  it.each([
    ['AUTODEV_ENABLED=false', { env: { AUTODEV_ENABLED: 'false' } }],
    ['enabled = false', { configToml: '[autodev]\nenabled = false\n' }],
  ] as const)(
    '%s: POST answers 503 AUTODEV_DISABLED and stores nothing, reads work, a queued task never starts',
    async (_name, options) => {
      t = await startTestRuntime({ ...options, start: true, pollMs: 50 });
      const res = await t.app.inject({ method: 'POST', url: TASKS, payload: seedTask() });
      expect(res.statusCode).toBe(503);
      expect(parseErrorBody(res.body).code).toBe('AUTODEV_DISABLED');

      const list = await t.app.inject({ method: 'GET', url: TASKS });
      expect(list.statusCode).toBe(200);
      expect(parseTaskList(list.body).tasks).toEqual([]);

      // A task queued before the switch was turned off (written to the store as a previous run would).
      const before = await t.runtime.store.tasks.create({
        title: 'queued before the switch',
        description: '',
        repo: '/srv/git/nonexistent.git',
        repo_normalized: '/srv/git/nonexistent.git',
        base_branch: 'main',
        risk_tier: 'low',
        constraints: [],
        acceptance: [],
      });
      await sleep(600); // a dozen poll intervals
      const one = await t.app.inject({ method: 'GET', url: `${TASKS}/${before.id}` });
      expect(one.statusCode).toBe(200);
      const stored = parseTaskBody(one.body);
      expect(stored.status).toBe('queued');
      expect(stored).toMatchObject({ attempt: 0, started_at: null });
      expect(parseTaskList((await t.app.inject({ method: 'GET', url: TASKS })).body).tasks).toHaveLength(1);

      const health = await t.app.inject({ method: 'GET', url: '/healthz' });
      expect(health.statusCode).toBe(200);
      expect(health.json()).toMatchObject({ status: 'ok', enabled: false, running_tasks: 0 });
      expect(t.logs()).toContain('autodev is disabled');
    },
  );

  it('a task interrupted before a restart with the switch off shows queued with the reason, and resumes once enabled', async () => {
    const dataDir = await mkdtemp(join(tmpdir(), 'autodev-kill-switch-'));
    try {
      // A server that was running the task: claimed, planning, then stopped with its lease lapsed.
      t = await startTestRuntime({ dataDir });
      const task = await t.runtime.store.tasks.create({
        title: 'interrupted',
        description: '',
        repo: '/srv/git/nonexistent.git',
        repo_normalized: '/srv/git/nonexistent.git',
        base_branch: 'main',
        risk_tier: 'low',
        constraints: [],
        acceptance: [],
      });
      await t.runtime.store.tasks.claimNext({ owner: 'stopped-server', leaseMs: 1, excludeIds: [] });
      expect(await t.runtime.store.tasks.transition(task.id, 'queued', 'planning')).toBe(true);
      await t.close();
      await sleep(5); // the lease has lapsed

      t = await startTestRuntime({ dataDir, env: { AUTODEV_ENABLED: 'false' }, start: true, pollMs: 50 });
      const shown = parseTaskBody((await t.app.inject({ method: 'GET', url: `${TASKS}/${task.id}` })).body);
      expect(shown.status).toBe('queued');
      const events = eventList.parse(
        JSON.parse((await t.app.inject({ method: 'GET', url: `${TASKS}/${task.id}/events` })).body),
      ).events;
      const requeued = events.find((e) => e.type === 'task.requeued');
      expect(requeued?.data).toMatchObject({ from: 'planning', reason: expect.stringContaining('disabled') });
      expect(events.at(-1)).toMatchObject({
        type: 'task.status_changed',
        data: { from: 'planning', to: 'queued' },
      });
      await t.close();

      t = await startTestRuntime({ dataDir, start: true, pollMs: 50 });
      const deadline = Date.now() + 10_000;
      let resumed: { type: string; data: unknown } | undefined;
      while (Date.now() < deadline && !resumed) {
        await sleep(50);
        const list = eventList.parse(
          JSON.parse((await t.app.inject({ method: 'GET', url: `${TASKS}/${task.id}/events` })).body),
        );
        resumed = list.events.find((e) => e.type === 'task.resumed');
      }
      expect(resumed?.data).toMatchObject({ attempt: 2, from: 'queued' });
    } finally {
      await t?.close();
      t = undefined;
      await rm(dataDir, { recursive: true, force: true });
    }
  });

  it('with the switch on, the same stored task is claimed (the check above can fail)', async () => {
    t = await startTestRuntime({ start: true, pollMs: 50 });
    const task = await t.runtime.store.tasks.create({
      title: 'claimed',
      description: '',
      repo: '/srv/git/nonexistent.git',
      repo_normalized: '/srv/git/nonexistent.git',
      base_branch: 'main',
      risk_tier: 'low',
      constraints: [],
      acceptance: [],
    });
    const deadline = Date.now() + 10_000;
    let attempt = 0;
    while (Date.now() < deadline && attempt === 0) {
      await sleep(50);
      attempt = (await t.runtime.store.tasks.get(task.id))?.attempt ?? 0;
    }
    expect(attempt).toBeGreaterThan(0);
  });
});
