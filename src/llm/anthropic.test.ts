import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { startScriptedModelServer } from '../../test/helpers/scripted-model-server.js';
import type { ScriptedModelServer } from '../../test/helpers/scripted-model-server.js';
import { llmConfigSchema } from '../config/schema.js';
import { anthropicBaseUrl, createAnthropicClient } from './anthropic.js';
import { modelClientConformance } from './conformance.js';

modelClientConformance({
  provider: 'anthropic',
  create: createAnthropicClient,
  startServer: () => startScriptedModelServer(),
  endpointOf: (server) => server.anthropicUrl,
});

describe('anthropic client on the wire', () => {
  let server: ScriptedModelServer;
  beforeEach(async () => {
    server = await startScriptedModelServer();
  });
  afterEach(async () => {
    await server.close();
  });

  const settings = () =>
    llmConfigSchema.parse({
      provider: 'anthropic',
      model: 'claude-x',
      api_url: server.anthropicUrl,
      max_tokens: 321,
      temperature: 0.3,
    });

  it('sends the key as x-api-key, the system prompt apart, and streams', async () => {
    server.push({ text: 'ok' });
    await createAnthropicClient(settings(), { apiKey: 'sk-ant-one' }).generate({
      messages: [
        { role: 'system', content: 'be brief' },
        { role: 'user', content: 'hi' },
      ],
    });
    const request = server.requests[0];
    expect(request?.headers['x-api-key']).toBe('sk-ant-one');
    expect(request?.headers['anthropic-version']).toBeTruthy();
    expect(request?.body).toMatchObject({
      model: 'claude-x',
      system: 'be brief',
      stream: true,
      max_tokens: 321,
      temperature: 0.3,
      messages: [{ role: 'user', content: [{ type: 'text', text: 'hi' }] }],
    });
  });

  it('sends tool calls as tool_use blocks and all results of a turn in one user message', async () => {
    server.push({ text: 'done' });
    await createAnthropicClient(settings(), { apiKey: 'k' }).generate({
      messages: [
        { role: 'user', content: 'read both' },
        {
          role: 'assistant',
          content: 'Reading.',
          toolCalls: [
            { id: 'toolu_1', name: 'read_file', arguments: { path: 'a' } },
            { id: 'toolu_2', name: 'read_file', arguments: { path: 'b' } },
          ],
        },
        { role: 'tool', toolCallId: 'toolu_1', content: 'A' },
        { role: 'tool', toolCallId: 'toolu_2', content: 'B' },
      ],
      tools: [
        {
          name: 'read_file',
          description: 'Reads.',
          parameters: { properties: { path: { type: 'string' } } },
        },
      ],
    });
    expect(server.requests[0]?.body).toMatchObject({
      messages: [
        { role: 'user', content: [{ type: 'text', text: 'read both' }] },
        {
          role: 'assistant',
          content: [
            { type: 'text', text: 'Reading.' },
            { type: 'tool_use', id: 'toolu_1', name: 'read_file', input: { path: 'a' } },
            { type: 'tool_use', id: 'toolu_2', name: 'read_file', input: { path: 'b' } },
          ],
        },
        {
          role: 'user',
          content: [
            { type: 'tool_result', tool_use_id: 'toolu_1', content: 'A' },
            { type: 'tool_result', tool_use_id: 'toolu_2', content: 'B' },
          ],
        },
      ],
      tools: [{ name: 'read_file', description: 'Reads.', input_schema: { type: 'object' } }],
    });
  });

  it('maps stop_reason max_tokens to length', async () => {
    server.push({ text: 'cut', finishReason: 'max_tokens' });
    const response = await createAnthropicClient(settings(), { apiKey: 'k' }).generate({
      messages: [{ role: 'user', content: 'hi' }],
    });
    expect(response.finishReason).toBe('length');
  });

  it('derives the SDK base URL from the configured endpoint', () => {
    expect(anthropicBaseUrl('https://api.anthropic.com/v1/messages')).toBe('https://api.anthropic.com');
  });
});
