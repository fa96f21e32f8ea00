import type {
  ContentBlockParam,
  MessageCreateParamsStreaming,
  MessageParam,
  Tool,
} from '@anthropic-ai/sdk/resources/messages';
import type { LlmSettings } from '../config/schema.js';
import type { ChatMessage, ModelRequest, ToolDefinition } from './types.js';

/**
 * Prompt caching: a cache breakpoint on the first user turn caches the stable prefix (tools, system,
 * the task), and one on the last turn lets the next call of the same conversation read everything
 * before it from the cache. Both stay on the same blocks as the conversation grows, which is what
 * makes the cached prefix match from call to call. Anthropic allows four breakpoints; two are used.
 */
const EPHEMERAL = { type: 'ephemeral' } as const;

/**
 * Anthropic takes the system prompt apart from the turns, tool results as `tool_result` blocks of a
 * user turn, and wants the turns to alternate: consecutive tool results and user text are merged.
 */
export function toAnthropicRequest(
  settings: LlmSettings,
  request: ModelRequest,
): MessageCreateParamsStreaming {
  const system = request.messages
    .filter((message) => message.role === 'system')
    .map((message) => message.content)
    .join('\n\n');
  return {
    model: settings.model,
    max_tokens: request.maxTokens ?? settings.max_tokens,
    temperature: request.temperature ?? settings.temperature,
    stream: true,
    ...(system === '' ? {} : { system }),
    messages: withCacheBreakpoints(toAnthropicMessages(request.messages)),
    ...(request.tools !== undefined && request.tools.length > 0
      ? { tools: request.tools.map(toAnthropicTool) }
      : {}),
  };
}

function toAnthropicMessages(messages: ChatMessage[]): MessageParam[] {
  const turns: { role: 'user' | 'assistant'; blocks: ContentBlockParam[] }[] = [];
  const push = (role: 'user' | 'assistant', blocks: ContentBlockParam[]): void => {
    if (blocks.length === 0) return;
    const last = turns[turns.length - 1];
    if (last !== undefined && last.role === role) last.blocks.push(...blocks);
    else turns.push({ role, blocks });
  };
  for (const message of messages) {
    switch (message.role) {
      case 'system':
        break;
      case 'user':
        push('user', textBlocks(message.content));
        break;
      case 'assistant':
        push('assistant', [
          ...textBlocks(message.content),
          ...(message.toolCalls ?? []).map((call): ContentBlockParam => ({
            type: 'tool_use',
            id: call.id,
            name: call.name,
            input: call.arguments ?? {},
          })),
        ]);
        break;
      case 'tool':
        push('user', [{ type: 'tool_result', tool_use_id: message.toolCallId, content: message.content }]);
        break;
    }
  }
  return turns.map((turn) => ({ role: turn.role, content: turn.blocks }));
}

function withCacheBreakpoints(turns: MessageParam[]): MessageParam[] {
  const firstUser = turns.findIndex((turn) => turn.role === 'user');
  return turns.map((turn, index) =>
    index === firstUser || index === turns.length - 1 ? markLastBlock(turn) : turn,
  );
}

function markLastBlock(turn: MessageParam): MessageParam {
  if (typeof turn.content === 'string' || turn.content.length === 0) return turn;
  const blocks = [...turn.content];
  const last = blocks[blocks.length - 1];
  // Thinking blocks cannot carry a breakpoint; autodev never sends them, the guard keeps types honest.
  if (last === undefined || last.type === 'thinking' || last.type === 'redacted_thinking') return turn;
  blocks[blocks.length - 1] = { ...last, cache_control: EPHEMERAL };
  return { role: turn.role, content: blocks };
}

/** Anthropic rejects empty text blocks. */
function textBlocks(text: string): ContentBlockParam[] {
  return text === '' ? [] : [{ type: 'text', text }];
}

function toAnthropicTool(tool: ToolDefinition): Tool {
  return {
    name: tool.name,
    description: tool.description,
    input_schema: { ...tool.parameters, type: 'object' },
  };
}
