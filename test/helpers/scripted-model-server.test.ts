import Anthropic from '@anthropic-ai/sdk';
import OpenAI from 'openai';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { startScriptedModelServer } from './scripted-model-server.js';
import type { ScriptedModelServer } from './scripted-model-server.js';

// The streaming side is exercised by src/llm's conformance suites; this covers the JSON side and the
// script's own rules, read through the official SDKs so the wire format is what they accept.
describe('scripted model server', () => {
  let server: ScriptedModelServer;
  beforeEach(async () => {
    server = await startScriptedModelServer([{ text: 'first', usage: { input: 3, output: 1 } }]);
  });
  afterEach(async () => {
    await server.close();
  });

  const openai = () => new OpenAI({ apiKey: 'k', baseURL: `${server.baseUrl}/v1`, maxRetries: 0 });
  const anthropic = () =>
    new Anthropic({ apiKey: 'k', authToken: null, baseURL: server.baseUrl, maxRetries: 0 });

  it('serves replies in order across protocols, as non-streamed JSON when asked so', async () => {
    server.push({ toolCalls: [{ name: 'list_files', arguments: { path: 'src' } }] });
    const completion = await openai().chat.completions.create({
      model: 'm',
      messages: [{ role: 'user', content: 'hi' }],
    });
    expect(completion.choices[0]?.message.content).toBe('first');
    expect(completion.usage).toMatchObject({ prompt_tokens: 3, completion_tokens: 1 });

    const message = await anthropic().messages.create({
      model: 'm',
      max_tokens: 10,
      messages: [{ role: 'user', content: 'hi' }],
    });
    expect(message.stop_reason).toBe('tool_use');
    expect(message.content).toMatchObject([{ type: 'tool_use', name: 'list_files', input: { path: 'src' } }]);

    expect(server.requests.map((request) => request.protocol)).toEqual(['openai', 'anthropic']);
    expect(server.requests[1]?.body).toMatchObject({ model: 'm', max_tokens: 10 });
  });

  it('answers 500 saying the script ran out once it has', async () => {
    await openai().chat.completions.create({ model: 'm', messages: [{ role: 'user', content: 'hi' }] });
    const error = await openai()
      .chat.completions.create({ model: 'm', messages: [{ role: 'user', content: 'again' }] })
      .catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(OpenAI.InternalServerError);
    expect(String(error)).toContain('script exhausted');
  });

  it('serves a scripted error status with the given body', async () => {
    server = await restartWith([{ status: 418, errorBody: { error: { message: 'teapot' } } }]);
    const error = await openai()
      .chat.completions.create({ model: 'm', messages: [{ role: 'user', content: 'hi' }] })
      .catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(OpenAI.APIError);
    expect(error instanceof OpenAI.APIError && error.status).toBe(418);
    expect(String(error)).toContain('teapot');
  });

  async function restartWith(
    script: Parameters<typeof startScriptedModelServer>[0],
  ): Promise<ScriptedModelServer> {
    await server.close();
    return startScriptedModelServer(script);
  }
});
