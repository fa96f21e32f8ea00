import type OpenAI from 'openai';
import type { LlmSettings } from '../config/schema.js';
import { AutodevError, isAutodevError } from '../errors.js';
import { createCallSignal } from './call-signal.js';
import { toModelError } from './map-api-error.js';
import type { ApiFailure } from './map-api-error.js';
import { toOpenAiRequest } from './openai-request.js';
import { createOpenAiStreamAccumulator } from './openai-stream.js';
import type { ModelClient, ModelClientDeps, ModelRequest, ModelResponse } from './types.js';

/** The SDK's base URL is the API root; the config names the full endpoint, as users copy it from docs. */
export function openAiBaseUrl(apiUrl: string): string {
  return apiUrl.replace(/\/+$/, '').replace(/\/chat\/completions$/, '');
}

/** The SDK's module, loaded by the first call: a server that never calls this provider never holds it in memory. */
type OpenAIModule = typeof OpenAI;
async function loadOpenAI(): Promise<OpenAIModule> {
  return (await import('openai')).default;
}

export function createOpenAiClient(settings: LlmSettings, deps: ModelClientDeps = {}): ModelClient {
  const timeoutMs = settings.timeout_secs * 1000;
  // Built on first use so a missing key fails the call that needs it, with the env var's name.
  let sdk: OpenAI | undefined;
  const client = async (): Promise<OpenAI> => {
    if (deps.apiKey === undefined || deps.apiKey === '') {
      throw new AutodevError(
        'MODEL_API_KEY_MISSING',
        `no API key for openai: set the environment variable ${settings.api_key_env}`,
      );
    }
    sdk ??= new (await loadOpenAI())({
      apiKey: deps.apiKey,
      baseURL: openAiBaseUrl(settings.api_url),
      // The orchestrator owns retries; a hidden retry here would double them and blur the audit trail.
      maxRetries: 0,
      timeout: timeoutMs,
      ...(deps.fetch === undefined ? {} : { fetch: deps.fetch }),
    });
    return sdk;
  };

  return {
    provider: 'openai',
    modelId: settings.model,
    async generate(request: ModelRequest, signal?: AbortSignal): Promise<ModelResponse> {
      const openai = await client();
      if (signal?.aborted === true)
        throw new AutodevError('TASK_CANCELLED', 'openai call cancelled before it started');
      const call = createCallSignal(timeoutMs, signal);
      try {
        const accumulator = createOpenAiStreamAccumulator(settings.model, settings.max_reply_bytes);
        const stream = await openai.chat.completions.create(toOpenAiRequest(settings, request), {
          signal: call.signal,
        });
        for await (const chunk of stream) accumulator.add(chunk);
        // The SDK ends an aborted stream without an error: ask why it stopped before trusting it.
        if (call.signal.aborted) throw new (await loadOpenAI()).APIUserAbortError();
        return accumulator.finish();
      } catch (error) {
        if (isAutodevError(error)) throw error;
        throw toModelError('openai', classifyOpenAiError(error, await loadOpenAI()), call, error);
      } finally {
        call.dispose();
      }
    },
  };
}

function classifyOpenAiError(error: unknown, OpenAI: OpenAIModule): ApiFailure {
  if (error instanceof OpenAI.APIUserAbortError) return { kind: 'abort' };
  if (error instanceof OpenAI.APIConnectionTimeoutError) return { kind: 'timeout' };
  if (error instanceof OpenAI.APIConnectionError) return { kind: 'connection', message: error.message };
  if (error instanceof OpenAI.APIError) {
    return error.status === undefined
      ? { kind: 'stream', message: error.message }
      : { kind: 'status', status: error.status, message: error.message };
  }
  if (error instanceof Error && error.name === 'AbortError') return { kind: 'abort' };
  return { kind: 'unknown', message: error instanceof Error ? error.message : String(error) };
}
