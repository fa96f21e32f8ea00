import { z } from 'zod';
import { AutodevError } from '../errors.js';

/** Tool arguments must be a JSON object: every tool autodev offers takes named fields. */
const argumentsSchema = z.record(z.string(), z.unknown());

/**
 * Parses the JSON text a model streamed as a tool call's arguments. Empty text means no arguments.
 * Malformed arguments are retryable: the next sample of the same request usually is well formed.
 */
export function parseToolArguments(
  provider: string,
  toolName: string,
  text: string,
): Record<string, unknown> {
  if (text.trim() === '') return {};
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (cause) {
    throw new AutodevError(
      'MODEL_RESPONSE_INVALID',
      `${provider} sent arguments for tool ${toolName} that are not JSON: ${text.slice(0, 200)}`,
      {
        cause,
        retryable: true,
      },
    );
  }
  const parsed = argumentsSchema.safeParse(value);
  if (!parsed.success) {
    throw new AutodevError(
      'MODEL_RESPONSE_INVALID',
      `${provider} sent arguments for tool ${toolName} that are not a JSON object`,
      {
        retryable: true,
      },
    );
  }
  return parsed.data;
}
