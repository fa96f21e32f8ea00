import type { TaskCost } from '../domain/task.js';
/**
 * The contract every model provider implements: one small call. Providers map
 * their wire format to these types; nothing above llm/ sees a provider's JSON.
 */
export type ChatRole = 'system' | 'user' | 'assistant' | 'tool';

export interface ToolCall {
  id: string;
  name: string;
  /** Parsed JSON arguments as the model sent them. */
  arguments: unknown;
}

export type ChatMessage =
  | { role: 'system'; content: string }
  | { role: 'user'; content: string }
  | { role: 'assistant'; content: string; toolCalls?: ToolCall[] }
  | { role: 'tool'; toolCallId: string; content: string };

export interface ToolDefinition {
  name: string;
  description: string;
  /** JSON Schema of the tool's input. */
  parameters: Record<string, unknown>;
}

export interface ModelRequest {
  messages: ChatMessage[];
  tools?: ToolDefinition[];
  maxTokens?: number;
  temperature?: number;
}

export type FinishReason = 'stop' | 'length' | 'tool_calls' | 'content_filter' | 'other';

export interface TokenUsage {
  /** All input tokens of the call, cached ones included. */
  inputTokens: number;
  outputTokens: number;
  /**
   * The part of inputTokens read from the provider's prompt cache (billed at the cached price):
   * OpenAI's prompt_tokens_details.cached_tokens, Anthropic's cache_read_input_tokens.
   */
  cachedInputTokens?: number;
}

export interface ModelResponse {
  text: string;
  toolCalls: ToolCall[];
  finishReason: FinishReason;
  usage: TokenUsage;
  model: string;
}

export interface ModelClient {
  readonly provider: string;
  readonly modelId: string;
  /**
   * One model call. Errors are AutodevError: MODEL_API_KEY_MISSING (names the env var),
   * MODEL_CALL_FAILED (retryable for 429/5xx/network), MODEL_REQUEST_REJECTED (4xx),
   * MODEL_TIMEOUT, TASK_CANCELLED when `signal` aborts.
   */
  generate(request: ModelRequest, signal?: AbortSignal): Promise<ModelResponse>;
}

/** What a provider factory is given besides its settings. */
/** A client whose replies may say what they cost: a task's metered model (llm/metered-model.ts) or a plain one. */
export interface PricedModelClient extends ModelClient {
  generate(request: ModelRequest, signal?: AbortSignal): Promise<ModelResponse & { cost?: TaskCost }>;
}

export interface ModelClientDeps {
  /** The key itself (config.secrets.llmApiKey); absent when the env var named by api_key_env is unset. */
  apiKey?: string;
  /** Replaces global fetch, e.g. to route through a proxy or record traffic. */
  fetch?: typeof fetch;
  /** The recorded turns of a task, oldest first: what provider = "replay" serves. */
  recordedTurns?: (taskId: string) => Promise<{ request_hash: string; reply: ModelResponse }[]>;
}
