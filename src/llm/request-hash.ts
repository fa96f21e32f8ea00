import { createHash } from 'node:crypto';
import type { ModelRequest } from './types.js';

/**
 * Durations in tool output ("Ran 3 tests in 0.004s", "took 12ms") differ from run to run while
 * meaning the same: masked, so a replay that reran the same tests sends "the same" request.
 * No nested quantifiers: linear on any input.
 */
const DURATION = /\b\d+(?:\.\d+)?\s?(?:ms|s|sec|seconds)\b/g;

/**
 * A canonical hash of what one model call sends: the messages (role, text, tool calls, tool results)
 * and the offered tools, as JSON with fixed key order, durations masked. Sampling settings are left
 * out: they come from config, not from the conversation. Recorded with each turn; a replay compares.
 */
export function requestHash(request: ModelRequest): string {
  const canonical = {
    messages: request.messages.map((message) => {
      switch (message.role) {
        case 'system':
        case 'user':
          return [message.role, mask(message.content)];
        case 'assistant':
          return [
            'assistant',
            mask(message.content),
            (message.toolCalls ?? []).map((call) => [call.id, call.name, stableJson(call.arguments)]),
          ];
        case 'tool':
          return ['tool', message.toolCallId, mask(message.content)];
      }
    }),
    tools: (request.tools ?? []).map((tool) => [tool.name, tool.description, stableJson(tool.parameters)]),
  };
  return createHash('sha256').update(JSON.stringify(canonical)).digest('hex');
}

function mask(text: string): string {
  return text.replace(DURATION, '<duration>');
}

/** JSON with object keys sorted, so the same arguments hash the same whatever order they came in. */
function stableJson(value: unknown): string {
  return JSON.stringify(value, (_key, item: unknown) =>
    item !== null && typeof item === 'object' && !Array.isArray(item)
      ? Object.fromEntries(Object.entries(item).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)))
      : item,
  );
}
