import { describe, expect, it } from 'vitest';
import { STORE_KINDS, useStoreBackend } from '../../test/helpers/store-backends.js';
import { createRedactor } from '../secrets/redact.js';
import type { Store } from './index.js';

const SECRET = 'sk-planted-secret-value-0123456789';
async function newTask(store: Store) {
  return store.tasks.create({
    title: 't',
    description: 'd',
    repo: '/r',
    repo_normalized: '/r',
    base_branch: 'main',
    risk_tier: 'low',
    constraints: [],
    acceptance: [],
  });
}

const reply = {
  text: `done with ${SECRET}`,
  toolCalls: [],
  finishReason: 'stop' as const,
  usage: { inputTokens: 10, outputTokens: 2 },
  model: 'm',
};

// The same suite on both stores: SQLite under data_dir and PostgreSQL on a throwaway cluster.
describe.each(STORE_KINDS)('conversation turns (%s store)', (kind) => {
  const backend = useStoreBackend(kind);
  const newStore = async (): Promise<Store> =>
    backend.open(await backend.newLocation(), createRedactor([SECRET]));

  it('keeps turns in order, redacted, and refuses a second turn with the same seq', async () => {
    const store = await newStore();
    const task = await newTask(store);
    const turn = {
      seq: 1,
      round: 1,
      request_hash: 'h1',
      messages: [{ role: 'user' as const, content: `key ${SECRET}` }],
      reply,
      workspace_commit: 'abc1234',
      stop_reason: null,
    };
    await store.conversations.append(task.id, turn);
    await store.conversations.append(task.id, { ...turn, seq: 2, stop_reason: 'done' });
    await expect(store.conversations.append(task.id, turn)).rejects.toThrow(
      /UNIQUE|constraint|duplicate key/i,
    );

    const turns = await store.conversations.list(task.id);
    expect(turns.map((t) => [t.seq, t.stop_reason])).toEqual([
      [1, null],
      [2, 'done'],
    ]);
    expect(JSON.stringify(turns)).not.toContain(SECRET);
    expect(turns[0]?.reply.usage).toEqual({ inputTokens: 10, outputTokens: 2 });
  });

  it('adds model cost to the task atomically and shows it on the task', async () => {
    const store = await newStore();
    const task = await newTask(store);
    expect(task.cost).toEqual({ input_tokens: 0, output_tokens: 0, cached_input_tokens: 0, usd: 0 });
    const cost = { input_tokens: 100, output_tokens: 10, cached_input_tokens: 40, usd: 0.5 };
    await Promise.all([store.tasks.addCost(task.id, cost), store.tasks.addCost(task.id, cost)]);
    expect((await store.tasks.get(task.id))?.cost).toEqual({
      input_tokens: 200,
      output_tokens: 20,
      cached_input_tokens: 80,
      usd: 1,
    });
  });
});
