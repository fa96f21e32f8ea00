import type { LlmSettings } from '../config/schema.js';

/** List price of a model in USD per million tokens, and how many tokens its context holds. */
export interface ModelPrice {
  inputPerMTok: number;
  /** Input read from the provider's prompt cache. */
  cachedInputPerMTok: number;
  outputPerMTok: number;
  contextTokens: number;
}

/**
 * Public list prices (standard tier, no batch discount), from openai.com/api/pricing and
 * anthropic.com/pricing as they stood in 2025 (the author's latest reading; they change, so
 * `[autodev.llm.prices."<model>"]` overrides any row). Anthropic's cached price is the cache-read
 * price (0.1x input); its cache writes (1.25x input) are counted at the plain input price, which
 * understates a first call by at most a quarter of its prefix.
 *
 * Keys are model-id prefixes: "gpt-4o-2024-08-06" is priced as "gpt-4o"; the longest prefix wins,
 * so "gpt-4o-mini" is not priced as "gpt-4o".
 */
export const LIST_PRICES: Readonly<Record<string, ModelPrice>> = {
  // OpenAI
  'gpt-4': price(30, 30, 60, 8_192),
  'gpt-4-turbo': price(10, 10, 30, 128_000),
  'gpt-4o': price(2.5, 1.25, 10, 128_000),
  'gpt-4o-mini': price(0.15, 0.075, 0.6, 128_000),
  'gpt-4.1': price(2, 0.5, 8, 1_047_576),
  'gpt-4.1-mini': price(0.4, 0.1, 1.6, 1_047_576),
  'gpt-4.1-nano': price(0.1, 0.025, 0.4, 1_047_576),
  'gpt-5': price(1.25, 0.125, 10, 400_000),
  'gpt-5-mini': price(0.25, 0.025, 2, 400_000),
  'gpt-5-nano': price(0.05, 0.005, 0.4, 400_000),
  o3: price(2, 0.5, 8, 200_000),
  'o4-mini': price(1.1, 0.275, 4.4, 200_000),
  // Anthropic
  'claude-opus-4': price(15, 1.5, 75, 200_000),
  'claude-opus-4-5': price(5, 0.5, 25, 200_000),
  'claude-sonnet-4': price(3, 0.3, 15, 200_000),
  'claude-3-7-sonnet': price(3, 0.3, 15, 200_000),
  'claude-3-5-sonnet': price(3, 0.3, 15, 200_000),
  'claude-haiku-4-5': price(1, 0.1, 5, 200_000),
  'claude-3-5-haiku': price(0.8, 0.08, 4, 200_000),
};

function price(input: number, cached: number, output: number, contextTokens: number): ModelPrice {
  return { inputPerMTok: input, cachedInputPerMTok: cached, outputPerMTok: output, contextTokens };
}

/** What autodev assumes of a model it has no row for: no price (cost 0 USD), a modest context. */
export const UNKNOWN_MODEL_CONTEXT_TOKENS = 32_000;

/**
 * The price of `model` (as the reply names it, or as configured): a config row for exactly that id,
 * else the list row of its longest prefix, else undefined (its calls count tokens, not dollars).
 */
export function priceOf(settings: LlmSettings, model: string): ModelPrice | undefined {
  const configured = settings.prices[model];
  if (configured !== undefined) {
    return {
      inputPerMTok: configured.input_per_mtok,
      cachedInputPerMTok: configured.cached_input_per_mtok ?? configured.input_per_mtok,
      outputPerMTok: configured.output_per_mtok,
      contextTokens:
        configured.context_tokens ?? listPriceOf(model)?.contextTokens ?? UNKNOWN_MODEL_CONTEXT_TOKENS,
    };
  }
  return listPriceOf(model);
}

function listPriceOf(model: string): ModelPrice | undefined {
  let best: string | undefined;
  for (const key of Object.keys(LIST_PRICES)) {
    const matches = model === key || model.startsWith(`${key}-`);
    if (matches && (best === undefined || key.length > best.length)) best = key;
  }
  return best === undefined ? undefined : LIST_PRICES[best];
}

/** The context window the conversation must fit: [autodev.llm] context_tokens, else the model's row. */
export function contextTokensOf(settings: LlmSettings): number {
  return (
    settings.context_tokens ??
    priceOf(settings, settings.model)?.contextTokens ??
    UNKNOWN_MODEL_CONTEXT_TOKENS
  );
}
