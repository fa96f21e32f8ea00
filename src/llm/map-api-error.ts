import { AutodevError } from '../errors.js';
import type { CallSignal } from './call-signal.js';

/**
 * What went wrong with a provider call, in terms both SDKs can be classified into (they share the
 * same generated error classes, but as distinct types per package).
 */
export type ApiFailure =
  | { kind: 'status'; status: number; message: string }
  | { kind: 'connection'; message: string }
  /** An error event inside a stream that had started fine (overloaded, server error). */
  | { kind: 'stream'; message: string }
  | { kind: 'timeout' }
  | { kind: 'abort' }
  | { kind: 'unknown'; message: string };

/** Maps a classified failure to autodev's error codes; retry decisions read `retryable`, never the message. */
export function toModelError(
  provider: string,
  failure: ApiFailure,
  call: CallSignal,
  cause: unknown,
): AutodevError {
  // The reason we aborted wins over how the SDK happened to report it.
  if (call.cancelled()) return new AutodevError('TASK_CANCELLED', `${provider} call cancelled`, { cause });
  if (call.timedOut() || failure.kind === 'timeout') {
    return new AutodevError('MODEL_TIMEOUT', `${provider} call timed out`, { cause });
  }
  switch (failure.kind) {
    case 'abort':
      return new AutodevError('TASK_CANCELLED', `${provider} call aborted`, { cause });
    case 'connection':
      return new AutodevError('MODEL_CALL_FAILED', `${provider} unreachable: ${failure.message}`, {
        cause,
        retryable: true,
      });
    case 'stream':
      return new AutodevError('MODEL_CALL_FAILED', `${provider} failed mid-reply: ${failure.message}`, {
        cause,
        retryable: true,
      });
    case 'status': {
      const retryable =
        failure.status === 408 || failure.status === 409 || failure.status === 429 || failure.status >= 500;
      const details = { status: failure.status };
      return retryable
        ? new AutodevError(
            'MODEL_CALL_FAILED',
            `${provider} answered ${failure.status}: ${failure.message}`,
            { cause, details, retryable: true },
          )
        : new AutodevError(
            'MODEL_REQUEST_REJECTED',
            `${provider} rejected the request (${failure.status}): ${failure.message}`,
            { cause, details },
          );
    }
    case 'unknown':
      return new AutodevError('MODEL_CALL_FAILED', `${provider} call failed: ${failure.message}`, {
        cause,
        retryable: false,
      });
  }
}
