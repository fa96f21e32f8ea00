import type { TaskCost } from '../domain/task.js';
import type { ModelPrice } from './prices.js';
import type { TokenUsage } from './types.js';

export const ZERO_COST: TaskCost = { input_tokens: 0, output_tokens: 0, cached_input_tokens: 0, usd: 0 };

/** One call's cost: uncached input, cached input and output each at their price; 0 USD when unpriced. */
export function costOf(usage: TokenUsage, price: ModelPrice | undefined): TaskCost {
  const cached = Math.min(usage.cachedInputTokens ?? 0, usage.inputTokens);
  const usd =
    price === undefined
      ? 0
      : ((usage.inputTokens - cached) * price.inputPerMTok +
          cached * price.cachedInputPerMTok +
          usage.outputTokens * price.outputPerMTok) /
        1_000_000;
  return {
    input_tokens: usage.inputTokens,
    output_tokens: usage.outputTokens,
    cached_input_tokens: cached,
    usd,
  };
}

export function addCosts(a: TaskCost, b: TaskCost): TaskCost {
  return {
    input_tokens: a.input_tokens + b.input_tokens,
    output_tokens: a.output_tokens + b.output_tokens,
    cached_input_tokens: a.cached_input_tokens + b.cached_input_tokens,
    usd: a.usd + b.usd,
  };
}

/** "12 345 tokens (1 000 cached), $0.0123": how a spend reads in errors and logs. */
export function describeCost(cost: TaskCost): string {
  return `${cost.input_tokens + cost.output_tokens} tokens (${cost.input_tokens} in, ${cost.cached_input_tokens} of them cached, ${cost.output_tokens} out), $${cost.usd.toFixed(4)}`;
}
