import { z } from 'zod';

/**
 * The Messages stream events autodev reads, checked because the SDK only casts them. Event and block
 * types not listed here (ping, thinking, citations, future ones) are ignored by the accumulator.
 */
const usageSchema = z.object({
  input_tokens: z.number().nullish(),
  output_tokens: z.number().nullish(),
  cache_creation_input_tokens: z.number().nullish(),
  cache_read_input_tokens: z.number().nullish(),
});

export type AnthropicUsage = z.infer<typeof usageSchema>;

export const anthropicEventTypeSchema = z.object({ type: z.string() });

export const messageStartSchema = z.object({
  message: z.object({ model: z.string().nullish(), usage: usageSchema.nullish() }),
});

export const contentBlockStartSchema = z.object({
  index: z.number().int(),
  content_block: z.object({ type: z.string(), id: z.string().nullish(), name: z.string().nullish() }),
});

export const contentBlockDeltaSchema = z.object({
  index: z.number().int(),
  delta: z.object({ type: z.string(), text: z.string().nullish(), partial_json: z.string().nullish() }),
});

export const messageDeltaSchema = z.object({
  delta: z.object({ stop_reason: z.string().nullish() }),
  usage: usageSchema.nullish(),
});
