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

/** Random ids in command lines (a junit report's file name): a re-run draws new ones. */
const UUID = /\b[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}\b/g;
const WORKSPACES = '/workspaces/';

function mask(text: string): string {
  return maskWorkspacePaths(text).replace(DURATION, '<duration>').replace(UUID, '<uuid>');
}

/**
 * The task's worktree path (data_dir/workspaces/<task id>) shows in test command lines and differs
 * between the task and its replay: each whitespace-separated word holding it is cut down to what
 * follows it. Word by word, without a regex, so a long word costs linear time.
 */
function maskWorkspacePaths(text: string): string {
  if (!text.includes(WORKSPACES)) return text;
  return text
    .split(/(\s+)/)
    .map((word) => {
      const at = word.lastIndexOf(WORKSPACES);
      if (at < 0) return word;
      const afterId = word.indexOf('/', at + WORKSPACES.length);
      return `<workspace>${afterId < 0 ? '' : word.slice(afterId)}`;
    })
    .join('');
}

/** JSON with object keys sorted, so the same arguments hash the same whatever order they came in. */
function stableJson(value: unknown): string {
  return JSON.stringify(value, (_key, item: unknown) =>
    item !== null && typeof item === 'object' && !Array.isArray(item)
      ? Object.fromEntries(Object.entries(item).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)))
      : item,
  );
}
