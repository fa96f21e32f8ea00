import type { LlmSettings } from '../config/schema.js';
import { createAnthropicClient } from './anthropic.js';
import { createOpenAiClient } from './openai.js';
import { createReplayClient } from './replay.js';
import type { ModelClient, ModelClientDeps } from './types.js';

/** Provider id → factory; the config's provider enum must list exactly these keys. */
export const modelClientFactories = {
  openai: createOpenAiClient,
  anthropic: createAnthropicClient,
  replay: createReplayClient,
} satisfies Record<LlmSettings['provider'], (settings: LlmSettings, deps: ModelClientDeps) => ModelClient>;

export function createModelClient(settings: LlmSettings, deps: ModelClientDeps = {}): ModelClient {
  return modelClientFactories[settings.provider](settings, deps);
}
