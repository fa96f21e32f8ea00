import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { submitTask, waitForTerminal } from '../helpers/api-client.js';
import { PYTHON_BUGGY_REPO, PYTHON_FIX_REPLY } from './fixtures.js';
import { startE2E, type E2EHarness } from './harness.js';

const FAILING_SETUP = '[commands]\nsetup = "echo boom-from-setup; exit 3"\n';

/** Issue #14 item 1: a failed install is the environment's fault, not the code's. */
describe('a setup that fails', () => {
  let h: E2EHarness;
  beforeAll(async () => {
    h = await startE2E({ max_step_retries: 0 });
  });
  afterAll(() => h?.close());

  const submit = (repo: string) =>
    submitTask(h.server.baseUrl, {
      title: 'Fix add() in calc',
      description: 'add(2, 3) returns -1; it must return 5.',
      repo,
      base_branch: 'main',
      risk_tier: 'low',
    });

  it('ends the task failed with SETUP_FAILED naming the command and its output; the model never sees it', async () => {
    const repo = await h.newRepo({ ...PYTHON_BUGGY_REPO, '.autodev.toml': FAILING_SETUP });
    const before = h.model.requests.length;
    h.model.push({ text: PYTHON_FIX_REPLY });
    const task = await waitForTerminal(h.server.baseUrl, (await submit(repo.origin)).id);
    expect(task.status).toBe('failed');
    expect(task.error?.code).toBe('SETUP_FAILED');
    expect(task.error?.message).toContain('echo boom-from-setup; exit 3');
    expect(task.error?.message).toContain('exited 3');
    expect(task.error?.message).toContain('boom-from-setup');
    const sent = h.model.requests.slice(before).map((r) => JSON.stringify(r.body));
    expect(sent.some((body) => body.includes('boom-from-setup'))).toBe(false);
    expect(task.steps.map((s) => s.tool)).not.toContain('codegen');
  });

  it('with [setup] tolerate_failure = true the failure is reported and the task goes on', async () => {
    const repo = await h.newRepo({
      ...PYTHON_BUGGY_REPO,
      '.autodev.toml': `${FAILING_SETUP}\n[setup]\ntolerate_failure = true\n`,
    });
    h.model.push({ text: PYTHON_FIX_REPLY });
    h.model.push({ text: PYTHON_FIX_REPLY });
    const task = await waitForTerminal(h.server.baseUrl, (await submit(repo.origin)).id);
    expect(task.error?.code).not.toBe('SETUP_FAILED');
    const setup = task.steps.find((s) => s.key === 'setup.setup#1');
    expect(setup?.status).toBe('succeeded');
    expect(setup?.output_summary).toContain('failed (tolerated)');
    expect(task.steps.map((s) => s.tool)).toContain('codegen');
  });
});
