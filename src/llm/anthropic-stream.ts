import type { z } from 'zod';
import { AutodevError } from '../errors.js';
import {
  anthropicEventTypeSchema,
  contentBlockDeltaSchema,
  contentBlockStartSchema,
  messageDeltaSchema,
  messageStartSchema,
} from './anthropic-schema.js';
import type { AnthropicUsage } from './anthropic-schema.js';
import { mapAnthropicStopReason } from './map-anthropic-stop-reason.js';
import { createReplyBudget } from './reply-budget.js';
import { parseToolArguments } from './tool-arguments.js';
import type { ModelResponse, ToolCall } from './types.js';

type Block = { kind: 'text'; text: string } | { kind: 'tool'; id: string; name: string; json: string };

/**
 * Folds a Messages event stream into one response: blocks open with content_block_start and grow by
 * deltas at their index; input tokens come with message_start (plus cache reads and writes), the
 * cumulative output count with message_delta.
 */
export function createAnthropicStreamAccumulator(
  fallbackModel: string,
  maxReplyBytes: number,
): {
  add(raw: unknown): void;
  finish(): ModelResponse;
} {
  let model = fallbackModel;
  let stopReason: string | null | undefined;
  let inputTokens = 0;
  let outputTokens = 0;
  let cachedInputTokens = 0;
  const blocks = new Map<number, Block>();
  const budget = createReplyBudget('anthropic', maxReplyBytes);

  const countUsage = (usage: AnthropicUsage | null | undefined): void => {
    if (!usage) return;
    const input =
      (usage.input_tokens ?? 0) +
      (usage.cache_creation_input_tokens ?? 0) +
      (usage.cache_read_input_tokens ?? 0);
    // Counts are cumulative, and message_delta may omit the input side.
    inputTokens = Math.max(inputTokens, input);
    outputTokens = Math.max(outputTokens, usage.output_tokens ?? 0);
    cachedInputTokens = Math.max(cachedInputTokens, usage.cache_read_input_tokens ?? 0);
  };

  return {
    add(raw) {
      const { type } = read(anthropicEventTypeSchema, raw);
      switch (type) {
        case 'message_start': {
          const { message } = read(messageStartSchema, raw);
          if (message.model) model = message.model;
          countUsage(message.usage);
          break;
        }
        case 'content_block_start': {
          const { index, content_block: block } = read(contentBlockStartSchema, raw);
          if (block.type === 'text') blocks.set(index, { kind: 'text', text: '' });
          if (block.type === 'tool_use') {
            if (!block.id || !block.name) throw invalid('a tool_use block without id or name');
            blocks.set(index, { kind: 'tool', id: block.id, name: block.name, json: '' });
          }
          break;
        }
        case 'content_block_delta': {
          const { index, delta } = read(contentBlockDeltaSchema, raw);
          const block = blocks.get(index);
          budget.add(delta.text ?? delta.partial_json ?? '');
          if (block?.kind === 'text' && delta.type === 'text_delta') block.text += delta.text ?? '';
          if (block?.kind === 'tool' && delta.type === 'input_json_delta')
            block.json += delta.partial_json ?? '';
          break;
        }
        case 'message_delta': {
          const { delta, usage } = read(messageDeltaSchema, raw);
          if (delta.stop_reason) stopReason = delta.stop_reason;
          countUsage(usage);
          break;
        }
        default:
          break;
      }
    },
    finish() {
      if (stopReason === undefined) {
        throw new AutodevError(
          'MODEL_CALL_FAILED',
          'anthropic stream ended before the model finished its reply',
          { retryable: true },
        );
      }
      const ordered = [...blocks.entries()].sort(([a], [b]) => a - b).map(([, block]) => block);
      const text = ordered.map((block) => (block.kind === 'text' ? block.text : '')).join('');
      const toolCalls: ToolCall[] = ordered.flatMap((block) =>
        block.kind === 'tool'
          ? [
              {
                id: block.id,
                name: block.name,
                arguments: parseToolArguments('anthropic', block.name, block.json),
              },
            ]
          : [],
      );
      return {
        text,
        toolCalls,
        finishReason: mapAnthropicStopReason(stopReason),
        usage: { inputTokens, outputTokens, cachedInputTokens },
        model,
      };
    },
  };
}

function read<T>(schema: z.ZodType<T>, raw: unknown): T {
  const parsed = schema.safeParse(raw);
  if (!parsed.success) throw invalid(`a stream event autodev cannot read: ${parsed.error.message}`);
  return parsed.data;
}

function invalid(what: string): AutodevError {
  return new AutodevError('MODEL_RESPONSE_INVALID', `anthropic sent ${what}`, { retryable: true });
}
