import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { api, submitTask, waitForTask, waitForTerminal } from '../helpers/api-client.js';
import { PYTHON_BUG_TASK as TASK, PYTHON_BUGGY_REPO, PYTHON_FIX_REPLY } from './fixtures.js';
import { startE2E, type E2EHarness } from './harness.js';

describe('the coding agent over Anthropic: prompt caching, a token budget, a cancel during a tool call', () => {
  let h: E2EHarness;
  beforeAll(async () => {
    h = await startE2E(
      { max_step_retries: 1, setup_network: true },
      { protocol: 'anthropic', keys: { model: '"claude-sonnet-4-20250514"', max_task_tokens: 2000 } },
    );
  });
  afterAll(() => h?.close());

  it('ends failed with BUDGET_EXCEEDED after the call that crossed the budget, showing the spend', async () => {
    const repo = await h.newRepo(PYTHON_BUGGY_REPO);
    const before = h.model.requests.length;
    h.model.push(
      {
        toolCalls: [{ name: 'read_file', arguments: { path: 'calc.py' } }],
        usage: { input: 1500, output: 100, cached: 1000 },
      },
      { text: PYTHON_FIX_REPLY, usage: { input: 1500, output: 100, cached: 1200 } },
    );
    const created = await submitTask(h.server.baseUrl, { ...TASK, repo: repo.origin });
    const task = await waitForTerminal(h.server.baseUrl, created.id);
    expect(task.status).toBe('failed');
    expect(task.error?.code).toBe('BUDGET_EXCEEDED');
    expect(task.error?.message).toContain('max_task_tokens = 2000');
    expect(task.error?.message).toContain('3200 tokens');
    // No third call: the overshoot is the one call that crossed the line.
    expect(h.model.requests.length - before).toBe(2);
    // Sonnet 4 list price: $3 in, $0.30 cached, $15 out per million.
    expect(task.cost).toEqual({
      input_tokens: 3000,
      output_tokens: 200,
      cached_input_tokens: 2200,
      usd: expect.closeTo((800 * 3 + 2200 * 0.3 + 200 * 15) / 1e6, 10),
    });

    // The stable prefix (tools, system, the task) carries a cache breakpoint, and so does the newest turn.
    const body = h.model.requests[before + 1]?.body as {
      messages: { content: { cache_control?: unknown }[] }[];
    };
    expect(body.messages[0]?.content.at(-1)?.cache_control).toEqual({ type: 'ephemeral' });
    expect(body.messages.at(-1)?.content.at(-1)?.cache_control).toEqual({ type: 'ephemeral' });
    expect(body.messages.slice(1, -1).some((m) => m.content.some((b) => b.cache_control))).toBe(false);
  });

  it('ends cancelled promptly when cancelled while the model is running a long command', async () => {
    const repo = await h.newRepo(PYTHON_BUGGY_REPO);
    const before = h.model.requests.length;
    h.model.push({
      toolCalls: [{ name: 'run', arguments: { command: ['sleep', '600'] } }],
      usage: { input: 10, output: 5 },
    });
    const created = await submitTask(h.server.baseUrl, { ...TASK, repo: repo.origin });
    await waitForTask(h.server.baseUrl, created.id, () => h.model.requests.length - before >= 1);
    // Give the tool call a moment to start its sandboxed sleep.
    await new Promise((r) => setTimeout(r, 1000));
    await api(h.server.baseUrl, `/api/v1/autodev/tasks/${created.id}/cancel`, { method: 'POST' });
    // Far sooner than the command's 600 s: the cancel reaches the running command.
    const task = await waitForTerminal(h.server.baseUrl, created.id, 60_000);
    expect({ status: task.status, error: task.error?.code }).toEqual({
      status: 'cancelled',
      error: 'TASK_CANCELLED',
    });
    expect(h.model.requests.length - before).toBe(1);
  });
});
