import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { api, submitTask, waitForTask, waitForTerminal } from '../helpers/api-client.js';
import {
  PYTHON_BUG_TASK as TASK,
  PYTHON_BUGGY_REPO,
  PYTHON_FIX_REPLY,
  PYTHON_REPAIR_REPLY,
  PYTHON_WRONG_FIX_REPLY,
} from './fixtures.js';
import { startE2E, type E2EHarness } from './harness.js';
import { replay } from './replay-cli.js';

const done: {
  repaired?: string;
  resumed?: { id: string; commit: (f: Record<string, string>) => Promise<string> };
} = {};

interface SentMessage {
  role: string;
  content: unknown;
}

const messagesOf = (body: unknown): SentMessage[] => (body as { messages: SentMessage[] }).messages;

describe('the coding agent over OpenAI: one conversation per task, checkpointed per turn, priced', () => {
  let h: E2EHarness;
  beforeAll(async () => {
    h = await startE2E(
      { max_step_retries: 1, setup_network: true },
      {
        tables:
          '[autodev.llm.prices."gpt-4"]\ninput_per_mtok = 10\ncached_input_per_mtok = 1\noutput_per_mtok = 20\n',
      },
    );
  });
  afterAll(() => h?.close());

  it('runs the tests through a tool, reads the result, and the repair round continues the same conversation', async () => {
    const repo = await h.newRepo(PYTHON_BUGGY_REPO);
    const before = h.model.requests.length;
    h.model.push(
      { toolCalls: [{ name: 'test', arguments: {} }], usage: { input: 1000, output: 100, cached: 600 } },
      { text: PYTHON_WRONG_FIX_REPLY, usage: { input: 1000, output: 100, cached: 600 } },
      { text: PYTHON_REPAIR_REPLY, usage: { input: 1000, output: 100, cached: 600 } },
    );
    const created = await submitTask(h.server.baseUrl, { ...TASK, repo: repo.origin });
    const task = await waitForTerminal(h.server.baseUrl, created.id);
    expect(task.error).toBeNull();
    expect(task.status).toBe('awaiting_review');
    expect(h.model.requests.length - before).toBe(3);
    done.repaired = created.id;

    const [first, second, repair] = h.model.requests.slice(before).map((r) => messagesOf(r.body));
    // The model read the test tool's result: the failing assertion is in the next request.
    expect(second?.at(-1)?.role).toBe('tool');
    expect(JSON.stringify(second?.at(-1))).toMatch(/test_add|assert/);
    // The repair request is the first round's conversation, whole, plus the failing output.
    expect(repair?.slice(0, second?.length ?? 0)).toEqual(second);
    expect(JSON.stringify(repair?.[second?.length ?? 0])).toContain('a * b');
    expect(repair?.at(-1)?.role).toBe('user');
    expect(JSON.stringify(repair?.at(-1))).toMatch(/Repair round 2[\s\S]*(test_add|assert)/);
    expect(first?.length).toBe(2);

    // Three calls of 1000 in (600 cached) and 100 out at the configured prices.
    expect(task.cost).toEqual({
      input_tokens: 3000,
      output_tokens: 300,
      cached_input_tokens: 1800,
      usd: expect.closeTo((3 * (400 * 10 + 600 * 1 + 100 * 20)) / 1e6, 10),
    });
    const { body } = await api(h.server.baseUrl, `/api/v1/autodev/tasks/${created.id}/events`);
    const calls = (body as { events: { type: string; data: Record<string, unknown> }[] }).events.filter(
      (e) => e.type === 'model.call',
    );
    expect(calls).toHaveLength(3);
    expect(calls[0]?.data).toMatchObject({ cachedInputTokens: 600, usd: expect.closeTo(0.0066, 10) });
    const metrics = await (await fetch(`${h.server.baseUrl}/metrics`)).text();
    expect(metrics).toMatch(/autodev_model_cost_usd_total [0-9.]+/);
    expect(metrics).toMatch(/autodev_model_tokens_total\{direction="cached_input"\} [1-9]/);
  });

  it('resumes at the last finished turn after a SIGKILL mid-call, without paying for earlier turns again', async () => {
    const repo = await h.newRepo(PYTHON_BUGGY_REPO);
    const before = h.model.requests.length;
    h.model.push(
      { toolCalls: [{ name: 'read_file', arguments: { path: 'calc.py' } }] },
      // The call the kill interrupts: answered slowly, and never heard.
      { text: PYTHON_FIX_REPLY, delayMs: 30_000 },
      { text: PYTHON_FIX_REPLY },
    );
    const created = await submitTask(h.server.baseUrl, { ...TASK, repo: repo.origin });
    await waitForTask(h.server.baseUrl, created.id, () => h.model.requests.length - before >= 2);
    await h.restart();
    const task = await waitForTerminal(h.server.baseUrl, created.id);
    expect(task.error).toBeNull();
    expect(task.status).toBe('awaiting_review');
    // Turn 1 was not asked again: the resumed step sent turn 2's request, the same as before the kill.
    expect(h.model.requests.length - before).toBe(3);
    const [, killed, resumed] = h.model.requests.slice(before).map((r) => messagesOf(r.body));
    expect(resumed).toEqual(killed);
    expect(JSON.stringify(resumed?.at(-1))).toContain('return a - b');
    done.resumed = { id: created.id, commit: (files) => repo.commit('main', files) };
  });

  it('replays a task (a tool call, a repair round) from its recorded turns, with no model call, to the same edits', async () => {
    expect(done.repaired).toBeDefined();
    const before = h.model.requests.length;
    const { code, report, leftInTmp } = await replay(h, done.repaired ?? '');
    expect(report).toMatchObject({
      replay_of: done.repaired,
      error: null,
      same_edits: true,
      rounds: [
        { key: 'implement.codegen#1', same: true, files: ['calc.py'] },
        { key: 'repair.codegen#2', same: true, files: ['calc.py'] },
      ],
    });
    expect(code).toBe(0);
    expect(h.model.requests.length).toBe(before);
    // The replay's scratch data_dir (a mirror of the repository, a store of the conversation) is gone.
    expect(leftInTmp).toEqual([]);
  });

  it('reports the turn where a replayed request differs from the recorded one', async () => {
    expect(done.resumed).toBeDefined();
    // The file the model read in turn 1 changed since (a comment at its end: the tests fail as
    // before and the repository map's definitions keep their lines, so turn 1's request is the
    // same), and turn 2's request carries the file's new text.
    await done.resumed?.commit({ 'calc.py': `${PYTHON_BUGGY_REPO['calc.py']}# end of calculator\n` });
    const { code, report, leftInTmp } = await replay(h, done.resumed?.id ?? '');
    expect(code).toBe(1);
    expect(leftInTmp).toEqual([]);
    expect(report).toMatchObject({ same_edits: false, status: 'failed', error: { code: 'REPLAY_DIVERGED' } });
    expect(JSON.stringify(report)).toContain('diverged at turn 2');
  });
});
