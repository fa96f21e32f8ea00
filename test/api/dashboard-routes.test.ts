import { afterEach, describe, expect, it } from 'vitest';
import { seedTask, startTestRuntime, TASKS, type TestRuntime } from '../helpers/runtime.js';

let t: TestRuntime | undefined;
afterEach(async () => {
  await t?.close();
  t = undefined;
});

describe('what the dashboard reads', () => {
  it('counts queued tasks in autodev_queue_depth and the overview, and exposes autodev_tasks_running', async () => {
    // Enabled, but the scheduler never started: submitted tasks stay queued.
    t = await startTestRuntime({ configToml: '[autodev]\nenabled = true\n' });
    for (let i = 0; i < 3; i++) {
      expect((await t.app.inject({ method: 'POST', url: TASKS, payload: seedTask() })).statusCode).toBe(201);
    }
    const metrics = await t.app.inject({ method: 'GET', url: '/metrics' });
    expect(metrics.body).toMatch(/^autodev_queue_depth 3$/m);
    expect(metrics.body).toMatch(/^autodev_tasks_running 0$/m);
    expect(metrics.body).toMatch(/^autodev_model_errors_total\{code="MODEL_TIMEOUT"\} 0$/m);
    expect(metrics.body).toMatch(/autodev_task_duration_seconds_bucket\{le="45"\}/);

    const overview = await t.app.inject({ method: 'GET', url: '/api/v1/autodev/overview' });
    expect(overview.statusCode).toBe(200);
    expect(overview.json()).toMatchObject({
      tasks_by_status: [{ status: 'queued', count: 3 }],
      success_rate: null,
      median_duration_seconds: null,
    });
    const bad = await t.app.inject({ method: 'GET', url: '/api/v1/autodev/overview?days=0' });
    expect(bad.statusCode).toBe(400);
    expect(bad.json()).toMatchObject({ error: { code: 'VALIDATION_FAILED' } });
  });

  it('answers a diff of a task with no codegen round yet with no rounds, and 404 for an unknown task', async () => {
    t = await startTestRuntime({ configToml: '[autodev]\nenabled = true\n' });
    const created = await t.app.inject({ method: 'POST', url: TASKS, payload: seedTask() });
    const id = (created.json() as { id: string }).id;
    const diff = await t.app.inject({ method: 'GET', url: `${TASKS}/${id}/diff` });
    expect(diff.json()).toEqual({ rounds: [] });
    const missing = await t.app.inject({ method: 'GET', url: `${TASKS}/nosuchtask/diff` });
    expect(missing.statusCode).toBe(404);
    expect(missing.json()).toMatchObject({ error: { code: 'TASK_NOT_FOUND' } });
  });
});
