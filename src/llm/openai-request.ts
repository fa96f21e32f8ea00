import type {
  ChatCompletionCreateParamsStreaming,
  ChatCompletionMessageParam,
  ChatCompletionTool,
} from 'openai/resources/chat/completions';
import type { LlmSettings } from '../config/schema.js';
import type { ChatMessage, ModelRequest, ToolDefinition } from './types.js';

/**
 * Reasoning models (o1, o3, o4-mini, gpt-5...) refuse `max_tokens` and any temperature but the default,
 * while older and OpenAI-compatible servers (vLLM, Ollama) know only `max_tokens`.
 */
function isReasoningModel(model: string): boolean {
  return /^(o\d|gpt-5)/.test(model);
}

export function toOpenAiRequest(
  settings: LlmSettings,
  request: ModelRequest,
): ChatCompletionCreateParamsStreaming {
  const maxTokens = request.maxTokens ?? settings.max_tokens;
  const reasoning = isReasoningModel(settings.model);
  return {
    model: settings.model,
    messages: request.messages.map(toOpenAiMessage),
    stream: true,
    stream_options: { include_usage: true },
    ...(reasoning
      ? { max_completion_tokens: maxTokens }
      : { max_tokens: maxTokens, temperature: request.temperature ?? settings.temperature }),
    ...(request.tools !== undefined && request.tools.length > 0
      ? { tools: request.tools.map(toOpenAiTool) }
      : {}),
  };
}

function toOpenAiMessage(message: ChatMessage): ChatCompletionMessageParam {
  switch (message.role) {
    case 'system':
    case 'user':
      return { role: message.role, content: message.content };
    case 'assistant': {
      const toolCalls = message.toolCalls ?? [];
      return toolCalls.length === 0
        ? { role: 'assistant', content: message.content }
        : {
            role: 'assistant',
            // OpenAI wants null rather than "" beside tool calls.
            content: message.content === '' ? null : message.content,
            tool_calls: toolCalls.map((call) => ({
              id: call.id,
              type: 'function',
              function: { name: call.name, arguments: JSON.stringify(call.arguments ?? {}) },
            })),
          };
    }
    case 'tool':
      return { role: 'tool', tool_call_id: message.toolCallId, content: message.content };
  }
}

function toOpenAiTool(tool: ToolDefinition): ChatCompletionTool {
  return {
    type: 'function',
    function: { name: tool.name, description: tool.description, parameters: tool.parameters },
  };
}
