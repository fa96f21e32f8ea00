import { describe, expect, it } from 'vitest';
import { llmConfigSchema } from '../config/schema.js';
import { isAutodevError } from '../errors.js';
import { createReplayClient } from './replay.js';
import { requestHash } from './request-hash.js';
import type { ModelRequest, ModelResponse } from './types.js';

const reply = (text: string): ModelResponse => ({
  text,
  toolCalls: [],
  finishReason: 'stop',
  usage: { inputTokens: 1, outputTokens: 1 },
  model: 'm',
});
const ask = (text: string): ModelRequest => ({ messages: [{ role: 'user', content: text }] });
const settings = llmConfigSchema.parse({ provider: 'replay', replay_task: 't1', model: 'm' });

describe('replay provider', () => {
  it('serves recorded replies in order while the requests match, and names the turn that differs', async () => {
    const turns = [
      { request_hash: requestHash(ask('one')), reply: reply('first') },
      { request_hash: requestHash(ask('two')), reply: reply('second') },
    ];
    const client = createReplayClient(settings, { recordedTurns: () => Promise.resolve(turns) });
    expect((await client.generate(ask('one'))).text).toBe('first');
    const error = await client.generate(ask('changed')).catch((e: unknown) => e);
    expect(isAutodevError(error, 'REPLAY_DIVERGED')).toBe(true);
    expect(String((error as Error).message)).toContain('diverged at turn 2');
  });

  it('hashes test output that differs only in durations the same', () => {
    expect(requestHash(ask('1 passed in 0.04s'))).toBe(requestHash(ask('1 passed in 0.31s')));
    expect(requestHash(ask('1 passed'))).not.toBe(requestHash(ask('2 passed')));
    const junit = (dir: string, id: string) =>
      ask(`$ pytest --junitxml=${dir}/workspaces/01m8edtfpcdzbman80s9pt96xv/.j-${id}.xml (in .) exited 1`);
    expect(requestHash(junit('/tmp/a', '262d8a74-ac50-4801-a1fd-10c06705fb02'))).toBe(
      requestHash(junit('/var/b', '746c134b-5d48-4ee2-bbca-fb06bb018414')),
    );
  });
});
