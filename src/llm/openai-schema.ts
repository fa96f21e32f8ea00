import { z } from 'zod';

/**
 * The fields of a chat-completion stream chunk autodev reads. The SDK types chunks but does not check
 * them, and OpenAI-compatible servers differ (null where OpenAI omits, missing `choices`), so each
 * chunk is parsed here, leniently about what we ignore.
 */
export const openAiChunkSchema = z.object({
  model: z.string().nullish(),
  choices: z
    .array(
      z.object({
        index: z.number().int().default(0),
        delta: z
          .object({
            content: z.string().nullish(),
            tool_calls: z
              .array(
                z.object({
                  index: z.number().int(),
                  id: z.string().nullish(),
                  function: z
                    .object({ name: z.string().nullish(), arguments: z.string().nullish() })
                    .nullish(),
                }),
              )
              .nullish(),
          })
          .nullish(),
        finish_reason: z.string().nullish(),
      }),
    )
    .nullish(),
  usage: z
    .object({
      prompt_tokens: z.number(),
      completion_tokens: z.number(),
      prompt_tokens_details: z.object({ cached_tokens: z.number().nullish() }).nullish(),
    })
    .nullish(),
});

export type OpenAiChunk = z.infer<typeof openAiChunkSchema>;
