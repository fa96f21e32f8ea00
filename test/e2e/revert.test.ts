import { execFile } from 'node:child_process';
import { resolve } from 'node:path';
import { promisify } from 'node:util';
import type { Plan } from '../../src/domain/task.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { git } from '../fixtures/repo.js';
import { api, submitTask, waitForTerminal, type TaskJson } from '../helpers/api-client.js';
import { startE2E, type E2EHarness } from './harness.js';
import { ADD_SUB_REPLY, GREEN_REPO, ROBO_AUTHOR, taskEvents } from './task-journey.js';

const exec = promisify(execFile);
const ROOT = resolve(import.meta.dirname, '../..');

describe('reverting a merged task', () => {
  let h: E2EHarness;
  beforeAll(async () => {
    h = await startE2E(ROBO_AUTHOR);
  });
  afterAll(() => h?.close());

  const revert = (id: string) =>
    api(h.server.baseUrl, `/api/v1/autodev/tasks/${id}/revert`, { method: 'POST' });
  const eventTypes = async (id: string) => (await taskEvents(h.server.baseUrl, id)).map((e) => e.type);

  it('opens a revert pull request once, tests it, merges it (low risk), and records it on both tasks', async () => {
    const repo = await h.newRepo(GREEN_REPO);
    h.model.push({ text: ADD_SUB_REPLY });
    const created = await submitTask(h.server.baseUrl, {
      title: 'Add sub',
      description: 'calc needs sub.',
      repo: repo.origin,
      risk_tier: 'low',
    });
    const original = await waitForTerminal(h.server.baseUrl, created.id);
    expect(original.error).toBeNull();
    expect(original.status).toBe('merged');
    expect(await repo.readFileAt('main', 'calc.py')).toContain('def sub');

    const first = await revert(original.id);
    expect(first.status).toBe(201);
    const revertTask = first.body as TaskJson & { title: string; reverts_task_id: string | null };
    expect(revertTask).toMatchObject({
      title: 'Revert "Add sub"',
      reverts_task_id: original.id,
      branch: `autodev/revert-${original.id}`,
    });
    // Idempotent: a second call (API or CLI) answers the same revert task.
    const second = await revert(original.id);
    expect(second.status).toBe(200);
    expect((second.body as TaskJson).id).toBe(revertTask.id);
    const cli = await exec(
      process.execPath,
      ['--import', 'tsx', 'src/cli/main.ts', 'task', 'revert', original.id, '-c', h.server.configFile],
      { cwd: ROOT, env: { PATH: process.env.PATH ?? '/usr/bin:/bin', HOME: process.env.HOME ?? '/tmp' } },
    );
    expect(JSON.parse(cli.stdout)).toMatchObject({ id: revertTask.id, created: false });

    const done = await waitForTerminal(h.server.baseUrl, revertTask.id);
    expect(done.error).toBeNull();
    expect(done.status).toBe('merged');
    expect(done.steps.map((s) => s.tool)).toEqual(expect.arrayContaining(['git_revert', 'test', 'pr_merge']));
    expect(done.steps.map((s) => s.tool)).not.toContain('codegen');
    // main is back to what it was before the task, by a new commit of the configured author.
    expect(await repo.readFileAt('main', 'calc.py')).toBe(GREEN_REPO['calc.py']);
    const tip = (await git(repo.origin, ['log', '-1', '--format=%s|%an <%ae>', 'refs/heads/main'])).trim();
    expect(tip).toBe('Revert "Add sub"|Robo Author <robo@example.test>');

    expect(await eventTypes(original.id)).toEqual(
      expect.arrayContaining(['task.revert_requested', 'task.reverted']),
    );
    expect(await eventTypes(done.id)).toEqual(expect.arrayContaining(['pr.opened', 'pr.merged']));
    const metrics = (await api(h.server.baseUrl, '/metrics')).text;
    expect(metrics).toMatch(/^autodev_reverts_total 1$/m);

    // Once the revert has merged, asking again still answers it rather than reverting twice.
    const third = await revert(original.id);
    expect((third.body as TaskJson).id).toBe(revertTask.id);
  });

  it('answers 404 for an unknown task and 409 TASK_NOT_REVERTIBLE for one not merged', async () => {
    const missing = await revert('0000000000000000000000000z');
    expect(missing.status).toBe(404);
    expect(missing.body).toMatchObject({ error: { code: 'TASK_NOT_FOUND' } });

    const repo = await h.newRepo(GREEN_REPO);
    h.model.push({ text: ADD_SUB_REPLY });
    const medium = await submitTask(h.server.baseUrl, {
      title: 'Add sub for review',
      description: '',
      repo: repo.origin,
      risk_tier: 'medium',
    });
    const refusedEarly = await revert(medium.id);
    expect(refusedEarly.status).toBe(409);
    expect(refusedEarly.body).toMatchObject({ error: { code: 'TASK_NOT_REVERTIBLE' } });
    const waiting = await waitForTerminal(h.server.baseUrl, medium.id);
    expect(waiting.status).toBe('awaiting_review');
    const refused = await revert(medium.id);
    expect(refused.status).toBe(409);
    expect((refused.body as { error: { message: string } }).error.message).toContain('awaiting_review');
  });
});

describe('a revert needs no model, and only a merged revert counts', () => {
  let h: E2EHarness;
  beforeAll(async () => {
    // Planning on: an ordinary task asks the model for its plan, a revert must not.
    h = await startE2E(ROBO_AUTHOR, { planning: true });
  });
  afterAll(() => h?.close());

  const PLAN =
    '```json\n{"summary":"add sub","steps":[{"goal":"add sub","files":["calc.py"],"checks":["tests pass"]}]}\n```';
  const revertsTotal = async () =>
    Number(/^autodev_reverts_total (\S+)$/m.exec((await api(h.server.baseUrl, '/metrics')).text)?.[1]);

  const mergedTask = async () => {
    const repo = await h.newRepo(GREEN_REPO);
    h.model.push({ text: PLAN }, { text: ADD_SUB_REPLY });
    const created = await submitTask(h.server.baseUrl, {
      title: 'Add sub',
      description: 'calc needs sub.',
      repo: repo.origin,
      risk_tier: 'low',
    });
    const task = await waitForTerminal(h.server.baseUrl, created.id);
    expect(task.status).toBe('merged');
    return { repo, task };
  };
  const revert = async (id: string) => {
    const res = await api(h.server.baseUrl, `/api/v1/autodev/tasks/${id}/revert`, { method: 'POST' });
    expect(res.status).toBe(201);
    return waitForTerminal(h.server.baseUrl, (res.body as TaskJson).id);
  };

  it('merges a revert without a single model call and counts it once merged', async () => {
    const { task } = await mergedTask();
    const requests = h.model.requests.length;
    const before = await revertsTotal();
    const done = await revert(task.id);
    expect(done.error).toBeNull();
    expect(done.status).toBe('merged');
    expect(h.model.requests.length).toBe(requests);
    expect(done.cost).toMatchObject({ input_tokens: 0, output_tokens: 0, usd: 0 });
    expect((done.plan as Plan).summary).toContain('No model is called');
    expect((await revertsTotal()) - before).toBe(1);
  });

  it('does not count a revert that failed (its change conflicts with a later commit)', async () => {
    const { repo, task } = await mergedTask();
    // Someone edits the very lines the task added: `git revert` of its merge now conflicts.
    await repo.commit('main', {
      'calc.py': 'def add(a, b):\n    return a + b\n\n\ndef sub(a, b):\n    return a - b  # kept\n',
    });
    const before = await revertsTotal();
    const done = await revert(task.id);
    expect(done.status).toBe('failed');
    expect(done.error?.message).toContain('conflicts');
    expect((await revertsTotal()) - before).toBe(0);
    expect((await taskEvents(h.server.baseUrl, task.id)).map((e) => e.type)).not.toContain('task.reverted');
  });
});
