import type { LlmSettings } from '../config/schema.js';
import { AutodevError } from '../errors.js';
import { requestHash } from './request-hash.js';
import type { ModelClient, ModelClientDeps, ModelRequest, ModelResponse } from './types.js';

/**
 * `provider = "replay"`: serves the replies recorded in a task's conversation turns, in order, with
 * no network. Each request is hashed (request-hash.ts) and compared with the hash recorded for that
 * turn; the first difference ends the replay with REPLAY_DIVERGED naming the turn, since from there
 * on the recorded replies answer a different question.
 */
export function createReplayClient(settings: LlmSettings, deps: ModelClientDeps = {}): ModelClient {
  const source = settings.replay_task ?? '';
  let turns: Awaited<ReturnType<NonNullable<ModelClientDeps['recordedTurns']>>> | undefined;
  let next = 0;

  return {
    provider: 'replay',
    modelId: settings.model,
    async generate(request: ModelRequest, signal?: AbortSignal): Promise<ModelResponse> {
      if (signal?.aborted === true) throw new AutodevError('TASK_CANCELLED', 'replay call cancelled');
      if (deps.recordedTurns === undefined) {
        throw new AutodevError(
          'CONFIG_INVALID',
          'provider = "replay" runs only with a store to read turns from',
        );
      }
      turns ??= await deps.recordedTurns(source);
      const turn = next + 1;
      const recorded = turns[next];
      if (recorded === undefined) {
        throw new AutodevError(
          'REPLAY_DIVERGED',
          `replay of task ${source} diverged at turn ${turn}: the task recorded only ${turns.length} turn(s)`,
          { details: { turn, recorded_turns: turns.length } },
        );
      }
      const hash = requestHash(request);
      if (hash !== recorded.request_hash) {
        throw new AutodevError(
          'REPLAY_DIVERGED',
          `replay of task ${source} diverged at turn ${turn}: the request differs from the recorded one`,
          { details: { turn, expected_hash: recorded.request_hash, actual_hash: hash } },
        );
      }
      next += 1;
      return recorded.reply;
    },
  };
}
