import { AutodevError } from '../errors.js';

/**
 * Counts a reply's bytes as its stream arrives and stops it at the configured size: a hostile or broken
 * model server can send hundreds of MB, and everything read is held in memory, parsed and stored.
 */
export function createReplyBudget(provider: string, maxBytes: number): { add(fragment: string): void } {
  let used = 0;
  return {
    add(fragment) {
      used += Buffer.byteLength(fragment, 'utf8');
      if (used > maxBytes) {
        throw new AutodevError(
          'MODEL_REPLY_TOO_LARGE',
          `the ${provider} reply exceeds ${maxBytes} bytes ([autodev.llm] max_reply_bytes); the rest was not read`,
          { details: { key: 'llm.max_reply_bytes', limit: maxBytes } },
        );
      }
    },
  };
}
