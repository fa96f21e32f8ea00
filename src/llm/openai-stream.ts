import { AutodevError } from '../errors.js';
import { mapOpenAiFinishReason } from './map-openai-finish-reason.js';
import { openAiChunkSchema } from './openai-schema.js';
import { createReplyBudget } from './reply-budget.js';
import { parseToolArguments } from './tool-arguments.js';
import type { ModelResponse, ToolCall } from './types.js';

interface PartialToolCall {
  id: string;
  name: string;
  arguments: string;
}

/**
 * Folds a chat-completion stream into one response: text deltas concatenate, a tool call is opened by
 * the chunk carrying its id and name and its arguments arrive as JSON fragments keyed by `index`, and
 * usage comes in a last chunk without choices (stream_options.include_usage).
 */
export function createOpenAiStreamAccumulator(
  fallbackModel: string,
  maxReplyBytes: number,
): {
  add(raw: unknown): void;
  finish(): ModelResponse;
} {
  let text = '';
  let model = fallbackModel;
  let finishReason: string | null | undefined;
  let inputTokens = 0;
  let outputTokens = 0;
  let cachedInputTokens = 0;
  const calls = new Map<number, PartialToolCall>();
  const budget = createReplyBudget('openai', maxReplyBytes);

  return {
    add(raw) {
      const parsed = openAiChunkSchema.safeParse(raw);
      if (!parsed.success) {
        throw new AutodevError(
          'MODEL_RESPONSE_INVALID',
          `openai sent a stream chunk autodev cannot read: ${parsed.error.message}`,
          {
            retryable: true,
          },
        );
      }
      const chunk = parsed.data;
      if (chunk.model) model = chunk.model;
      if (chunk.usage) {
        inputTokens = chunk.usage.prompt_tokens;
        outputTokens = chunk.usage.completion_tokens;
        cachedInputTokens = chunk.usage.prompt_tokens_details?.cached_tokens ?? 0;
      }
      // Only the first choice: autodev never asks for n > 1.
      const choice = (chunk.choices ?? []).find((candidate) => candidate.index === 0);
      if (choice === undefined) return;
      if (choice.delta?.content) {
        budget.add(choice.delta.content);
        text += choice.delta.content;
      }
      for (const delta of choice.delta?.tool_calls ?? []) {
        const call = calls.get(delta.index) ?? { id: '', name: '', arguments: '' };
        if (delta.id) call.id = delta.id;
        // Some compatible servers repeat the name in every fragment; the first one names the call.
        if (delta.function?.name && call.name === '') call.name = delta.function.name;
        if (delta.function?.arguments) {
          budget.add(delta.function.arguments);
          call.arguments += delta.function.arguments;
        }
        calls.set(delta.index, call);
      }
      if (choice.finish_reason) finishReason = choice.finish_reason;
    },
    finish() {
      if (finishReason === undefined) {
        throw new AutodevError(
          'MODEL_CALL_FAILED',
          'openai stream ended before the model finished its reply',
          { retryable: true },
        );
      }
      const toolCalls: ToolCall[] = [...calls.entries()]
        .sort(([a], [b]) => a - b)
        .map(([index, call]) => {
          if (call.name === '') {
            throw new AutodevError(
              'MODEL_RESPONSE_INVALID',
              `openai sent tool call #${index} without a function name`,
              { retryable: true },
            );
          }
          return {
            id: call.id === '' ? `call_${index}` : call.id,
            name: call.name,
            arguments: parseToolArguments('openai', call.name, call.arguments),
          };
        });
      return {
        text,
        toolCalls,
        finishReason: mapOpenAiFinishReason(finishReason),
        usage: { inputTokens, outputTokens, cachedInputTokens },
        model,
      };
    },
  };
}
