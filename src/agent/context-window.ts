import type { ChatMessage, ToolDefinition } from '../llm/types.js';

/** Characters per token assumed when estimating: English and code average about four. */
const CHARS_PER_TOKEN = 4;
/** Per-message framing (role, ids) in tokens. */
const MESSAGE_OVERHEAD_TOKENS = 4;
/** What an old tool output keeps at each end, in characters, on the first pass and, if needed, the second. */
const KEEP_ENDS_CHARS = [1_000, 200] as const;

export interface ContextBudget {
  /** The model's context window in tokens ([autodev.llm] context_tokens or the price table's). */
  contextTokens: number;
  /** Tokens kept free for the reply ([autodev.llm] max_tokens). */
  replyTokens: number;
}

/** Rough token count of a request: characters over four, plus framing. */
export function estimateTokens(
  messages: readonly ChatMessage[],
  tools: readonly ToolDefinition[] = [],
): number {
  let chars = 0;
  for (const message of messages) {
    chars += message.content.length;
    if (message.role === 'assistant') chars += JSON.stringify(message.toolCalls ?? []).length;
  }
  chars += JSON.stringify(tools).length;
  return Math.ceil(chars / CHARS_PER_TOKEN) + messages.length * MESSAGE_OVERHEAD_TOKENS;
}

/**
 * Keeps a conversation inside the model's context window. The rule:
 *
 * - System and user messages and the model's own replies are never cut: they hold the task, the
 *   failing output of a repair round and what the model decided.
 * - Tool outputs answering the newest reply stay whole: the model is reading them now.
 * - Older tool outputs, oldest first, are cut to their first and last 1 000 characters with a marker
 *   saying how much was left out and that calling the tool again shows it whole; if the request is
 *   still too large, a second pass cuts them to 200 characters at each end.
 * - A request that is small enough is sent untouched, so the prefix the provider caches stays the
 *   same from call to call until the window is actually full.
 *
 * Pure and deterministic (the same conversation gives the same request), which a replay relies on.
 * The stored conversation keeps every output whole; only what is sent is cut.
 */
export function fitToContext(
  messages: readonly ChatMessage[],
  tools: readonly ToolDefinition[],
  budget: ContextBudget,
): ChatMessage[] {
  const limit = budget.contextTokens - budget.replyTokens;
  let fitted = [...messages];
  if (estimateTokens(fitted, tools) <= limit) return fitted;
  const lastReply = fitted.map((m) => m.role).lastIndexOf('assistant');
  for (const keep of KEEP_ENDS_CHARS) {
    for (let index = 0; index < lastReply; index += 1) {
      const message = fitted[index];
      if (message?.role !== 'tool') continue;
      const content = keepEnds(message.content, keep);
      if (content === message.content) continue;
      fitted = fitted.map((m, i) => (i === index ? { ...message, content } : m));
      if (estimateTokens(fitted, tools) <= limit) return fitted;
    }
  }
  // Still over: sent as is, and the provider's refusal names the cause better than a guess here.
  return fitted;
}

function keepEnds(text: string, keep: number): string {
  if (text.length <= keep * 2 + 200) return text;
  const left = text.length - keep * 2;
  return `${text.slice(0, keep)}\n[... ${left} characters of an old tool output left out to fit the context window; call the tool again to see it whole ...]\n${text.slice(-keep)}`;
}
