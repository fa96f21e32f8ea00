import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { submitTask, waitForTerminal } from '../helpers/api-client.js';
import { PYTHON_BUGGY_REPO, PYTHON_FIX_REPLY } from './fixtures.js';
import { startE2E, type E2EHarness } from './harness.js';
import { replay } from './replay-cli.js';

const PLAN_REPLY = [
  '```json',
  JSON.stringify({
    summary: 'add subtracts; make it add.',
    steps: [{ goal: 'Make add() return the sum', files: ['calc.py'], checks: ['test_add passes'] }],
  }),
  '```',
].join('\n');

describe('replay of a task that was planned by the model', () => {
  let h: E2EHarness;
  beforeAll(async () => {
    h = await startE2E({ max_step_retries: 0 }, { planning: true });
  });
  afterAll(() => h?.close());

  it('follows the recorded plan, makes no model call, and reproduces the edits', async () => {
    const repo = await h.newRepo(PYTHON_BUGGY_REPO);
    h.model.push({ text: PLAN_REPLY }, { text: PYTHON_FIX_REPLY });
    const created = await submitTask(h.server.baseUrl, {
      title: 'Fix add() in calc',
      description: 'add(2, 3) returns -1; it must return 5.',
      repo: repo.origin,
      base_branch: 'main',
      risk_tier: 'medium',
      constraints: [],
      acceptance: ['pytest passes'],
    });
    const task = await waitForTerminal(h.server.baseUrl, created.id);
    expect(task.status).toBe('awaiting_review');
    expect(JSON.stringify(task.plan)).toContain('"source":"model"');
    const before = h.model.requests.length;

    const { code, report } = await replay(h, created.id);

    expect(report).toMatchObject({ replay_of: created.id, error: null, same_edits: true });
    expect(code).toBe(0);
    // Neither the plan nor the change cost a model call: both came from the recording.
    expect(h.model.requests.length).toBe(before);
  });
});
