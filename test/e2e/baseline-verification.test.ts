import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { api, submitTask, waitForTerminal } from '../helpers/api-client.js';
import { PYTHON_BUGGY_REPO, PYTHON_FIX_REPLY } from './fixtures.js';
import { startE2E, type E2EHarness } from './harness.js';

type Events = { events: { type: string; data: Record<string, unknown> }[] };

/** A test that fails for a reason of its own, before and after any fix of calc.py. */
const UNRELATED_FAILING_TEST = {
  'test_legacy.py': 'def test_legacy_io():\n    assert open.__name__ == "not-open", "legacy IO is broken"\n',
};

/** The add() fix that also turns mul() into an addition: test_mul passed before and fails now. */
const FIX_THAT_BREAKS_MUL = [
  '```diff',
  '--- a/calc.py',
  '+++ b/calc.py',
  '@@ -1,6 +1,6 @@',
  ' def add(a, b):',
  '-    return a - b',
  '+    return a + b',
  ' ',
  ' ',
  ' def mul(a, b):',
  '-    return a * b',
  '+    return a + b',
  '```',
].join('\n');

describe('verification against the baseline, and failure reasons that tell the truth', () => {
  let h: E2EHarness;
  beforeAll(async () => {
    h = await startE2E({ max_step_retries: 1 });
  });
  afterAll(() => h?.close());

  const decisionOf = async (id: string) => {
    const { body } = await api(h.server.baseUrl, `/api/v1/autodev/tasks/${id}/events`);
    return (body as Events).events.find((e) => e.type === 'policy.decision' && 'allow' in e.data)?.data;
  };

  it('merges a fix beside an unrelated pre-existing failure (low risk), reporting that failure', async () => {
    const repo = await h.newRepo({ ...PYTHON_BUGGY_REPO, ...UNRELATED_FAILING_TEST });
    h.model.push({ text: PYTHON_FIX_REPLY });
    const created = await submitTask(h.server.baseUrl, {
      title: 'Fix add() beside a broken legacy test',
      description: 'add(2, 3) returns -1; it must return 5.',
      repo: repo.origin,
      risk_tier: 'low',
      acceptance: ['test_add passes'],
    });
    const task = await waitForTerminal(h.server.baseUrl, created.id);
    expect(task.error).toBeNull();
    expect(task.status).toBe('merged');
    const verify = task.steps.find((s) => s.key === 'verify.test#1');
    expect(verify?.output_summary).toMatch(
      /^failed: python \(\.\): 2 passed, 1 failed.*against the baseline: pass; pre-existing failures: .*test_legacy_io/,
    );
    expect(await decisionOf(task.id)).toMatchObject({
      allow: true,
      tests_preexisting: [expect.stringContaining('test_legacy.py::test_legacy_io')],
    });
    expect(await repo.readFileAt('main', 'calc.py')).toContain('return a + b');
  });

  it('does not merge a fix that breaks a test that passed before: TESTS_STILL_FAILING names it', async () => {
    const repo = await h.newRepo(PYTHON_BUGGY_REPO);
    // The repair round gets the same fix again: already applied, so the task ends on the tests.
    h.model.push({ text: FIX_THAT_BREAKS_MUL }, { text: FIX_THAT_BREAKS_MUL });
    const before = h.model.requests.length;
    const created = await submitTask(h.server.baseUrl, {
      title: 'Fix add() and break mul()',
      description: 'add must add.',
      repo: repo.origin,
      risk_tier: 'low',
    });
    const task = await waitForTerminal(h.server.baseUrl, created.id);
    expect(task.status).toBe('failed');
    expect(task.error?.code).toBe('TESTS_STILL_FAILING');
    expect(task.error?.message).toMatch(
      /^verify: tests still failing after 1 round\(s\): .*test_calc\.py::test_mul/,
    );
    expect(task.error?.message).not.toContain('test_add');
    expect(h.model.requests.length - before).toBe(2);
    // The repair round was told which failure is the change's own.
    expect(JSON.stringify(h.model.requests.at(-1)?.body)).toContain('Failing because of your change');
    expect(await repo.readFileAt('main', 'calc.py')).toContain('return a - b');
    expect(task.pr ?? null).toBeNull();
  });

  it('leaves a change for review when the tests cannot run before it (syntax error in a test helper)', async () => {
    const repo = await h.newRepo({
      ...PYTHON_BUGGY_REPO,
      'helpers.py': 'def two(:\n    return 2\n',
      'test_calc.py': `from helpers import two\n${PYTHON_BUGGY_REPO['test_calc.py']}`,
    });
    h.model.push({ text: PYTHON_FIX_REPLY });
    const before = h.model.requests.length;
    const created = await submitTask(h.server.baseUrl, {
      title: 'Fix add() while the suite is broken',
      description: 'add(2, 3) returns -1; it must return 5.',
      repo: repo.origin,
      risk_tier: 'low',
    });
    const task = await waitForTerminal(h.server.baseUrl, created.id);
    expect(task.error).toBeNull();
    expect(task.status).toBe('awaiting_review');
    // One round: a suite that could not run is never a repair round blamed on the model.
    expect(h.model.requests.length - before).toBe(1);
    const decision = await decisionOf(task.id);
    expect(decision).toMatchObject({
      allow: false,
      deny: expect.arrayContaining([
        {
          code: 'TESTS_UNAVAILABLE',
          message: expect.stringMatching(/^Tests unavailable: python \(\.\).*collection failure/),
        },
      ]),
      tests_unavailable: expect.stringContaining('could not run the tests'),
    });
    expect(await repo.readFileAt('main', 'calc.py')).toContain('return a - b');
  });

  it('ends with MODEL_DECLINED, quoting the model, after two refusals (two model calls)', async () => {
    const repo = await h.newRepo(PYTHON_BUGGY_REPO);
    const before = h.model.requests.length;
    h.model.push(
      { text: 'I am not able to work on this repository.' },
      { text: 'I cannot make changes to this code, sorry.' },
    );
    const created = await submitTask(h.server.baseUrl, {
      title: 'Fix add() with a reluctant model',
      description: 'add must add.',
      repo: repo.origin,
    });
    const task = await waitForTerminal(h.server.baseUrl, created.id);
    expect(task.status).toBe('failed');
    expect(task.error?.code).toBe('MODEL_DECLINED');
    expect(task.error?.message).toContain('I cannot make changes to this code, sorry.');
    expect(h.model.requests.length - before).toBe(2);
  });

  it('ends with MODEL_NO_PROGRESS after max_idle_turns (3) replies without an edit, quoting the last one bounded and redacted, and bills those calls', async () => {
    const repo = await h.newRepo(PYTHON_BUGGY_REPO);
    const before = h.model.requests.length;
    const token = `ghp_${'Zq7'.repeat(12)}`;
    const usage = { input: 1000, output: 50 };
    h.model.push(
      { text: 'The reply holds no edit.', usage },
      { text: 'Looking at calc.py, add() should add.', usage },
      { text: `I would use ${token} to look around. ${'And then more words. '.repeat(100)}`, usage },
    );
    const created = await submitTask(h.server.baseUrl, {
      title: 'Fix add() with a model that only talks',
      description: 'add must add.',
      repo: repo.origin,
    });
    const task = await waitForTerminal(h.server.baseUrl, created.id);
    expect(task.status).toBe('failed');
    expect(task.error?.code).toBe('MODEL_NO_PROGRESS');
    expect(task.error?.message).toContain('3 time(s) in a row without a tool call or an edit');
    expect(task.error?.message).toContain('it last said: "I would use [REDACTED] to look around.');
    expect(task.error?.message).not.toContain(token);
    expect(task.error?.message.length).toBeLessThan(600);
    // Three calls, not max_turns (20): and all three are in the task's cost.
    expect(h.model.requests.length - before).toBe(3);
    expect(task.cost).toMatchObject({ input_tokens: 3000, output_tokens: 150 });
  });
});
