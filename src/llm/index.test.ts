import { describe, expect, it } from 'vitest';
import { LLM_PROVIDER_IDS, llmConfigSchema } from '../config/schema.js';
import { createModelClient, modelClientFactories } from './index.js';

describe('createModelClient', () => {
  it('has a factory for every provider the config accepts', () => {
    expect(Object.keys(modelClientFactories).sort()).toEqual([...LLM_PROVIDER_IDS].sort());
  });

  it('picks the client named by settings.provider', () => {
    for (const provider of LLM_PROVIDER_IDS) {
      const client = createModelClient(
        llmConfigSchema.parse({ provider, model: 'm', replay_task: 'task-1' }),
        { apiKey: 'k' },
      );
      expect(client.provider).toBe(provider);
      expect(client.modelId).toBe('m');
    }
  });

  it('refuses provider = "replay" without the task to replay, naming the key', () => {
    const parsed = llmConfigSchema.safeParse({ provider: 'replay' });
    expect(parsed.success).toBe(false);
    expect(JSON.stringify(parsed.error?.issues)).toContain('replay_task');
  });
});
