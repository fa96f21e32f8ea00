import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { startScriptedModelServer } from '../../test/helpers/scripted-model-server.js';
import type { ScriptedModelServer } from '../../test/helpers/scripted-model-server.js';
import { llmConfigSchema } from '../config/schema.js';
import { modelClientConformance } from './conformance.js';
import { createOpenAiClient, openAiBaseUrl } from './openai.js';

modelClientConformance({
  provider: 'openai',
  create: createOpenAiClient,
  startServer: () => startScriptedModelServer(),
  endpointOf: (server) => server.openaiUrl,
});

describe('openai client on the wire', () => {
  let server: ScriptedModelServer;
  beforeEach(async () => {
    server = await startScriptedModelServer();
  });
  afterEach(async () => {
    await server.close();
  });

  const settings = (model: string) =>
    llmConfigSchema.parse({
      provider: 'openai',
      model,
      api_url: server.openaiUrl,
      max_tokens: 321,
      temperature: 0.3,
    });

  it('streams with usage included, bearer auth, and max_tokens and temperature from the settings', async () => {
    server.push({ text: 'ok' });
    await createOpenAiClient(settings('gpt-4.1'), { apiKey: 'sk-one' }).generate({
      messages: [{ role: 'user', content: 'hi' }],
    });
    const request = server.requests[0];
    expect(request?.headers['authorization']).toBe('Bearer sk-one');
    expect(request?.body).toMatchObject({
      model: 'gpt-4.1',
      stream: true,
      stream_options: { include_usage: true },
      max_tokens: 321,
      temperature: 0.3,
    });
  });

  it('sends max_completion_tokens and no temperature to reasoning models, which refuse the others', async () => {
    server.push({ text: 'ok' });
    await createOpenAiClient(settings('o4-mini'), { apiKey: 'sk-one' }).generate({
      messages: [{ role: 'user', content: 'hi' }],
    });
    const body = server.requests[0]?.body;
    expect(body).toMatchObject({ max_completion_tokens: 321 });
    expect(body).not.toHaveProperty('max_tokens');
    expect(body).not.toHaveProperty('temperature');
  });

  it('sends tool calls as functions with JSON-string arguments and results as tool messages', async () => {
    server.push({ text: 'done' });
    await createOpenAiClient(settings('gpt-4.1'), { apiKey: 'sk-one' }).generate({
      messages: [
        { role: 'user', content: 'read it' },
        {
          role: 'assistant',
          content: '',
          toolCalls: [{ id: 'call_9', name: 'read_file', arguments: { path: 'a' } }],
        },
        { role: 'tool', toolCallId: 'call_9', content: 'A' },
      ],
    });
    expect(server.requests[0]?.body).toMatchObject({
      messages: [
        { role: 'user', content: 'read it' },
        {
          role: 'assistant',
          content: null,
          tool_calls: [
            { id: 'call_9', type: 'function', function: { name: 'read_file', arguments: '{"path":"a"}' } },
          ],
        },
        { role: 'tool', tool_call_id: 'call_9', content: 'A' },
      ],
    });
  });

  it('maps finish_reason length so callers know the reply was cut', async () => {
    server.push({ text: 'cut', finishReason: 'length' });
    const response = await createOpenAiClient(settings('gpt-4.1'), { apiKey: 'k' }).generate({
      messages: [{ role: 'user', content: 'hi' }],
    });
    expect(response.finishReason).toBe('length');
  });

  it('derives the SDK base URL from the configured endpoint', () => {
    expect(openAiBaseUrl('https://api.openai.com/v1/chat/completions')).toBe('https://api.openai.com/v1');
    expect(openAiBaseUrl('http://localhost:11434/v1/')).toBe('http://localhost:11434/v1');
  });
});
