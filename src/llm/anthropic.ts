import type Anthropic from '@anthropic-ai/sdk';
import type { LlmSettings } from '../config/schema.js';
import { AutodevError, isAutodevError } from '../errors.js';
import { createAnthropicStreamAccumulator } from './anthropic-stream.js';
import { toAnthropicRequest } from './anthropic-request.js';
import { createCallSignal } from './call-signal.js';
import { toModelError } from './map-api-error.js';
import type { ApiFailure } from './map-api-error.js';
import type { ModelClient, ModelClientDeps, ModelRequest, ModelResponse } from './types.js';

/** The SDK's base URL is the API host; the config names the full endpoint, as users copy it from docs. */
export function anthropicBaseUrl(apiUrl: string): string {
  return apiUrl.replace(/\/+$/, '').replace(/\/v1\/messages$/, '');
}

/** The SDK's module, loaded by the first call: a server that never calls this provider never holds it in memory. */
type AnthropicModule = typeof Anthropic;
async function loadAnthropic(): Promise<AnthropicModule> {
  return (await import('@anthropic-ai/sdk')).default;
}

export function createAnthropicClient(settings: LlmSettings, deps: ModelClientDeps = {}): ModelClient {
  const timeoutMs = settings.timeout_secs * 1000;
  // Built on first use so a missing key fails the call that needs it, with the env var's name.
  let sdk: Anthropic | undefined;
  const client = async (): Promise<Anthropic> => {
    if (deps.apiKey === undefined || deps.apiKey === '') {
      throw new AutodevError(
        'MODEL_API_KEY_MISSING',
        `no API key for anthropic: set the environment variable ${settings.api_key_env}`,
      );
    }
    sdk ??= new (await loadAnthropic())({
      apiKey: deps.apiKey,
      // Explicit null: otherwise the SDK picks ANTHROPIC_AUTH_TOKEN out of the environment itself.
      authToken: null,
      baseURL: anthropicBaseUrl(settings.api_url),
      // The orchestrator owns retries; a hidden retry here would double them and blur the audit trail.
      maxRetries: 0,
      timeout: timeoutMs,
      ...(deps.fetch === undefined ? {} : { fetch: deps.fetch }),
    });
    return sdk;
  };

  return {
    provider: 'anthropic',
    modelId: settings.model,
    async generate(request: ModelRequest, signal?: AbortSignal): Promise<ModelResponse> {
      const anthropic = await client();
      if (signal?.aborted === true)
        throw new AutodevError('TASK_CANCELLED', 'anthropic call cancelled before it started');
      const call = createCallSignal(timeoutMs, signal);
      try {
        const accumulator = createAnthropicStreamAccumulator(settings.model, settings.max_reply_bytes);
        const stream = await anthropic.messages.create(toAnthropicRequest(settings, request), {
          signal: call.signal,
        });
        for await (const event of stream) accumulator.add(event);
        // The SDK ends an aborted stream without an error: ask why it stopped before trusting it.
        if (call.signal.aborted) throw new (await loadAnthropic()).APIUserAbortError();
        return accumulator.finish();
      } catch (error) {
        if (isAutodevError(error)) throw error;
        throw toModelError('anthropic', classifyAnthropicError(error, await loadAnthropic()), call, error);
      } finally {
        call.dispose();
      }
    },
  };
}

function classifyAnthropicError(error: unknown, Anthropic: AnthropicModule): ApiFailure {
  if (error instanceof Anthropic.APIUserAbortError) return { kind: 'abort' };
  if (error instanceof Anthropic.APIConnectionTimeoutError) return { kind: 'timeout' };
  if (error instanceof Anthropic.APIConnectionError) return { kind: 'connection', message: error.message };
  if (error instanceof Anthropic.APIError) {
    return error.status === undefined
      ? { kind: 'stream', message: error.message }
      : { kind: 'status', status: error.status, message: error.message };
  }
  if (error instanceof Error && error.name === 'AbortError') return { kind: 'abort' };
  return { kind: 'unknown', message: error instanceof Error ? error.message : String(error) };
}
