import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Plan } from '../../src/domain/task.js';
import { api, submitTask, waitForTask, waitForTerminal } from '../helpers/api-client.js';
import type { RecordedRequest } from '../helpers/scripted-model-server.js';
import { PYTHON_BUGGY_REPO, PYTHON_FIX_REPLY } from './fixtures.js';
import { startE2E, type E2EHarness } from './harness.js';

const PLAN = {
  summary: 'add() subtracts; make it add.',
  steps: [{ goal: 'Make add() return the sum', files: ['calc.py'], checks: ['test_add passes'] }],
};
const INVALID_PLAN = { summary: 'fix it', steps: [] };
const fenced = (value: unknown) => `\`\`\`json\n${JSON.stringify(value)}\n\`\`\``;

const TASK = {
  title: 'Fix add() in calc',
  description: 'add(2, 3) returns -1; it must return 5.',
  risk_tier: 'low',
  acceptance: ['pytest passes'],
};

const bodyText = (request: RecordedRequest | undefined) => JSON.stringify(request?.body ?? '');
const isPlanning = (request: RecordedRequest) => bodyText(request).includes('You plan a change');

async function eventsOf(baseUrl: string, id: string): Promise<{ type: string; data: unknown }[]> {
  const { body } = await api(baseUrl, `/api/v1/autodev/tasks/${id}/events`);
  return (body as { events: { type: string; data: unknown }[] }).events;
}

describe('a plan made by the model drives the task', () => {
  let h: E2EHarness;
  beforeAll(async () => {
    h = await startE2E({ max_step_retries: 1 }, { planning: true });
  });
  afterAll(() => h?.close());

  it('sends an invalid plan back with its errors, stores the valid one, and gives it to the coding model', async () => {
    const repo = await h.newRepo(PYTHON_BUGGY_REPO);
    const before = h.model.requests.length;
    h.model.push({ text: fenced(INVALID_PLAN) }, { text: fenced(PLAN) }, { text: PYTHON_FIX_REPLY });

    const created = await submitTask(h.server.baseUrl, { ...TASK, repo: repo.origin });
    const task = await waitForTerminal(h.server.baseUrl, created.id);
    expect(task.error).toBeNull();
    expect(task.status).toBe('merged');

    const requests = h.model.requests.slice(before);
    expect(requests).toHaveLength(3);
    expect(bodyText(requests[1])).toContain('That plan is invalid');
    expect(bodyText(requests[1])).toContain('steps: Too small');
    // The coding model's first request carries the plan's steps, files and checks.
    const coding = bodyText(requests[2]);
    expect(coding).toContain('## Plan');
    expect(coding).toContain('1. Make add() return the sum');
    expect(coding).toContain('Files: calc.py');

    const plan = task.plan as Plan;
    expect(plan.source).toBe('model');
    expect(plan.checks).toEqual(['test_add passes']);
    expect(plan.phases?.find((p) => p.id === 'implement')?.work_steps).toEqual(PLAN.steps);
    // Every step the task ran is one the plan shows.
    const planned = new Set(plan.steps.map((s) => `${s.phase}.${s.tool}`));
    for (const step of task.steps) expect(planned).toContain(`${step.phase}.${step.tool}`);
    // The step's summary tells the model's work items from the tool steps that carry them out.
    expect(task.steps.find((s) => s.key === 'plan.plan#1')?.output_summary).toBe(
      `model plan: ${PLAN.steps.length} work item(s), ${plan.steps.length} tool steps`,
    );
    const planEvent = (await eventsOf(h.server.baseUrl, created.id)).find((e) => e.type === 'plan.created');
    expect(planEvent?.data).toMatchObject({ source: 'model' });
  });

  it('uses the default plan, saying why, when the plan is invalid twice', async () => {
    const repo = await h.newRepo(PYTHON_BUGGY_REPO);
    h.model.push({ text: 'no plan here' }, { text: fenced(INVALID_PLAN) }, { text: PYTHON_FIX_REPLY });

    const created = await submitTask(h.server.baseUrl, { ...TASK, repo: repo.origin });
    const task = await waitForTerminal(h.server.baseUrl, created.id);
    expect(task.status).toBe('merged');
    const plan = task.plan as Plan;
    expect(plan.source).toBe('default');
    expect(plan.fallback_reason).toMatch(/invalid twice: steps: Too small/);
    const event = (await eventsOf(h.server.baseUrl, created.id)).find((e) => e.type === 'plan.created');
    expect(event?.data).toMatchObject({ source: 'default', fallback_reason: plan.fallback_reason });
  });

  it('does not ask for the plan again after a restart past planning', async () => {
    const repo = await h.newRepo({
      ...PYTHON_BUGGY_REPO,
      '.autodev.toml': '[commands]\nsetup = "sleep 3"\n',
    });
    const before = h.model.requests.length;
    h.model.push({ text: fenced(PLAN) }, { text: PYTHON_FIX_REPLY });

    const created = await submitTask(h.server.baseUrl, { ...TASK, repo: repo.origin });
    await waitForTask(h.server.baseUrl, created.id, (t) =>
      t.steps.some((s) => s.key === 'setup.setup#1' && s.status === 'running'),
    );
    await h.restart();

    const task = await waitForTerminal(h.server.baseUrl, created.id, 240_000);
    expect(task.status).toBe('merged');
    const requests = h.model.requests.slice(before);
    expect(requests.filter(isPlanning)).toHaveLength(1);
    expect(requests).toHaveLength(2);
    expect((task.plan as Plan).source).toBe('model');
  });
});

describe('planning calls are priced and budgeted like every model call', () => {
  let h: E2EHarness;
  beforeAll(async () => {
    // gpt-4 (the default model) lists $30 in and $60 out per million tokens.
    h = await startE2E({ max_step_retries: 1 }, { planning: true, keys: { max_task_tokens: 3000 } });
  });
  afterAll(() => h?.close());

  const costMetric = async () => {
    const { text } = await api(h.server.baseUrl, '/metrics');
    return Number(/^autodev_model_cost_usd_total (\S+)$/m.exec(text)?.[1] ?? 0);
  };

  it("counts both planning calls and the coding call in the task's cost, its events and the metric", async () => {
    const repo = await h.newRepo(PYTHON_BUGGY_REPO);
    const metricBefore = await costMetric();
    h.model.push(
      { text: fenced(INVALID_PLAN), usage: { input: 1000, output: 100 } },
      { text: fenced(PLAN), usage: { input: 1000, output: 100 } },
      { text: PYTHON_FIX_REPLY, usage: { input: 500, output: 50 } },
    );
    const created = await submitTask(h.server.baseUrl, { ...TASK, repo: repo.origin });
    const task = await waitForTerminal(h.server.baseUrl, created.id);
    expect(task.error).toBeNull();
    expect(task.status).toBe('merged');

    const usd = (2500 * 30 + 250 * 60) / 1e6;
    expect(task.cost).toEqual({
      input_tokens: 2500,
      output_tokens: 250,
      cached_input_tokens: 0,
      usd: expect.closeTo(usd, 10),
    });
    const calls = (await eventsOf(h.server.baseUrl, created.id)).filter((e) => e.type === 'model.call');
    expect(calls.map((e) => (e.data as { key: string }).key)).toEqual([
      'plan.plan#1',
      'plan.plan#1',
      'implement.codegen#1',
    ]);
    expect(calls[0]?.data).toMatchObject({
      inputTokens: 1000,
      outputTokens: 100,
      usd: (1000 * 30 + 100 * 60) / 1e6,
    });
    expect((await costMetric()) - metricBefore).toBeCloseTo(usd, 10);
  });

  it('ends BUDGET_EXCEEDED when planning spent most of max_task_tokens and the coding call crosses it', async () => {
    const repo = await h.newRepo(PYTHON_BUGGY_REPO);
    const before = h.model.requests.length;
    h.model.push(
      { text: fenced(PLAN), usage: { input: 2000, output: 100 } },
      { text: PYTHON_FIX_REPLY, usage: { input: 1000, output: 100 } },
    );
    const created = await submitTask(h.server.baseUrl, { ...TASK, repo: repo.origin });
    const task = await waitForTerminal(h.server.baseUrl, created.id);
    expect(task.status).toBe('failed');
    expect(task.error?.code).toBe('BUDGET_EXCEEDED');
    expect(task.error?.message).toContain('max_task_tokens = 3000');
    expect(task.error?.message).toContain('3200 tokens');
    expect(h.model.requests.length - before).toBe(2);
  });
});
