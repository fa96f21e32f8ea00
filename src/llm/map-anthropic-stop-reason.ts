import type { FinishReason } from './types.js';

/** Anthropic's stop_reason in autodev's words. */
export function mapAnthropicStopReason(reason: string | null | undefined): FinishReason {
  switch (reason) {
    case 'end_turn':
    case 'stop_sequence':
      return 'stop';
    case 'max_tokens':
    case 'model_context_window_exceeded':
      return 'length';
    case 'tool_use':
      return 'tool_calls';
    case 'refusal':
      return 'content_filter';
    default:
      // pause_turn and anything newer: the caller treats the reply as unfinished.
      return 'other';
  }
}
