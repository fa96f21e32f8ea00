import type {
  ContentBlockParam,
  MessageCreateParamsStreaming,
  MessageParam,
  Tool,
} from '@anthropic-ai/sdk/resources/messages';
import type { LlmSettings } from '../config/schema.js';
import type { ChatMessage, ModelRequest, ToolDefinition } from './types.js';

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
    messages: toAnthropicMessages(request.messages),
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
