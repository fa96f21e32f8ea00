import { describe, expect, it } from 'vitest';
import { llmConfigSchema } from '../config/schema.js';
import type { LlmSettings } from '../config/schema.js';
import { isAutodevError } from '../errors.js';
import type { ChatMessage, ModelClient, ModelClientDeps, ToolDefinition } from './types.js';

/**
 * The behaviour every ModelClient shows against a server speaking its provider's wire protocol.
 * The server is handed in (test/helpers/scripted-model-server.ts) so that src/ does not import test/.
 */
export interface ConformanceServer {
  requests: { headers: Record<string, string | string[] | undefined>; body: unknown }[];
  push(
    ...replies: {
      text?: string;
      toolCalls?: { name: string; arguments: unknown }[];
      status?: number;
      delayMs?: number;
      chunkDelayMs?: number;
      usage?: { input: number; output: number; cached?: number };
    }[]
  ): void;
  close(): Promise<void>;
}

export interface ModelClientConformanceOptions<S extends ConformanceServer> {
  provider: LlmSettings['provider'];
  create: (settings: LlmSettings, deps: ModelClientDeps) => ModelClient;
  startServer: () => Promise<S>;
  /** The endpoint URL of the server for this provider, as a user would write it in api_url. */
  endpointOf: (server: S) => string;
}

const API_KEY = 'sk-conformance-key-123';

const EDIT_TOOL: ToolDefinition = {
  name: 'read_file',
  description: 'Reads a file of the repository.',
  parameters: {
    type: 'object',
    properties: { path: { type: 'string' } },
    required: ['path'],
    additionalProperties: false,
  },
};

export function modelClientConformance<S extends ConformanceServer>(
  options: ModelClientConformanceOptions<S>,
): void {
  const settingsFor = (server: S, overrides: Partial<LlmSettings> = {}): LlmSettings =>
    llmConfigSchema.parse({
      provider: options.provider,
      model: 'conformance-model',
      api_key_env: 'CONFORMANCE_KEY',
      api_url: options.endpointOf(server),
      timeout_secs: 30,
      ...overrides,
    });

  /** Runs `body` with a fresh server and a client for it, always closing the server. */
  const withClient = async (
    body: (client: ModelClient, server: S) => Promise<void>,
    overrides: Partial<LlmSettings> = {},
    deps: ModelClientDeps = { apiKey: API_KEY },
  ): Promise<void> => {
    const server = await options.startServer();
    try {
      await body(options.create(settingsFor(server, overrides), deps), server);
    } finally {
      await server.close();
    }
  };

  const ask: ChatMessage[] = [
    { role: 'system', content: 'You are a careful engineer.' },
    { role: 'user', content: 'Say hello.' },
  ];

  const rejection = async (promise: Promise<unknown>): Promise<unknown> => {
    try {
      await promise;
    } catch (error) {
      return error;
    }
    throw new Error('expected the call to fail');
  };

  describe(`ModelClient conformance: ${options.provider}`, () => {
    it('returns the text of a streamed reply, its usage and finish reason, sending the key', async () => {
      await withClient(async (client, server) => {
        server.push({
          text: 'Hello there, this reply spans several stream chunks.',
          usage: { input: 42, output: 7 },
        });
        const response = await client.generate({ messages: ask });
        expect(response.text).toBe('Hello there, this reply spans several stream chunks.');
        expect(response.toolCalls).toEqual([]);
        expect(response.finishReason).toBe('stop');
        expect(response.usage).toEqual({ inputTokens: 42, outputTokens: 7, cachedInputTokens: 0 });
        expect(response.model).toBe('conformance-model');
        expect(client.provider).toBe(options.provider);
        expect(client.modelId).toBe('conformance-model');
        expect(server.requests).toHaveLength(1);
        expect(JSON.stringify(server.requests[0]?.headers)).toContain(API_KEY);
        const sent = JSON.stringify(server.requests[0]?.body);
        expect(sent).toContain('You are a careful engineer.');
        expect(sent).toContain('Say hello.');
      });
    });

    it('reads the cached part of the input from the usage the provider reports', async () => {
      await withClient(async (client, server) => {
        server.push({ text: 'Hi.', usage: { input: 1000, output: 5, cached: 800 } });
        const response = await client.generate({ messages: ask });
        expect(response.usage).toEqual({ inputTokens: 1000, outputTokens: 5, cachedInputTokens: 800 });
      });
    });

    it('returns tool calls with their arguments reassembled from fragments and parsed', async () => {
      await withClient(async (client, server) => {
        const args = { path: 'src/deeply/nested/module.ts', note: 'quote " and unicode é' };
        server.push({ text: 'Let me look.', toolCalls: [{ name: 'read_file', arguments: args }] });
        const response = await client.generate({ messages: ask, tools: [EDIT_TOOL] });
        expect(response.finishReason).toBe('tool_calls');
        expect(response.toolCalls).toHaveLength(1);
        expect(response.toolCalls[0]).toMatchObject({ name: 'read_file', arguments: args });
        expect(response.toolCalls[0]?.id).not.toBe('');
        expect(JSON.stringify(server.requests[0]?.body)).toContain('Reads a file of the repository.');
      });
    });

    it('sends a conversation holding tool calls and their results back to the provider', async () => {
      await withClient(async (client, server) => {
        server.push(
          { toolCalls: [{ name: 'read_file', arguments: { path: 'a.txt' } }] },
          { text: 'The file says hi.' },
        );
        const first = await client.generate({ messages: ask, tools: [EDIT_TOOL] });
        const call = first.toolCalls[0];
        if (call === undefined) throw new Error('expected a tool call');
        const second = await client.generate({
          messages: [
            ...ask,
            { role: 'assistant', content: first.text, toolCalls: first.toolCalls },
            { role: 'tool', toolCallId: call.id, content: 'contents-of-a-txt' },
          ],
          tools: [EDIT_TOOL],
        });
        expect(second.text).toBe('The file says hi.');
        const sent = JSON.stringify(server.requests[1]?.body);
        expect(sent).toContain(call.id);
        expect(sent).toContain('contents-of-a-txt');
      });
    });

    it('maps a 500 to a retryable MODEL_CALL_FAILED without retrying itself', async () => {
      await withClient(async (client, server) => {
        server.push({ status: 500 });
        const error = await rejection(client.generate({ messages: ask }));
        expect(isAutodevError(error, 'MODEL_CALL_FAILED')).toBe(true);
        expect(isAutodevError(error) && error.retryable).toBe(true);
        expect(server.requests).toHaveLength(1);
      });
    });

    it('cuts a reply past max_reply_bytes with MODEL_REPLY_TOO_LARGE naming the key, text or tool arguments', async () => {
      for (const reply of [
        { text: 'x'.repeat(64 * 1024) },
        { toolCalls: [{ name: 'write_file', arguments: { content: 'y'.repeat(64 * 1024) } }] },
      ]) {
        await withClient(
          async (client, server) => {
            server.push(reply);
            const error = await rejection(client.generate({ messages: ask }));
            expect(isAutodevError(error, 'MODEL_REPLY_TOO_LARGE')).toBe(true);
            expect(isAutodevError(error) && error.retryable).toBe(false);
            expect(error instanceof Error ? error.message : '').toContain('max_reply_bytes');
          },
          { max_reply_bytes: 4096 },
        );
      }
    });

    it('maps a 429 to a retryable MODEL_CALL_FAILED', async () => {
      await withClient(async (client, server) => {
        server.push({ status: 429 });
        const error = await rejection(client.generate({ messages: ask }));
        expect(isAutodevError(error, 'MODEL_CALL_FAILED') && error.retryable).toBe(true);
      });
    });

    it('maps a 400 to a non-retryable MODEL_REQUEST_REJECTED', async () => {
      await withClient(async (client, server) => {
        server.push({ status: 400 });
        const error = await rejection(client.generate({ messages: ask }));
        expect(isAutodevError(error, 'MODEL_REQUEST_REJECTED')).toBe(true);
        expect(isAutodevError(error) && error.retryable).toBe(false);
      });
    });

    it('maps an unreachable server to a retryable MODEL_CALL_FAILED', async () => {
      const server = await options.startServer();
      const settings = settingsFor(server);
      await server.close();
      const error = await rejection(
        options.create(settings, { apiKey: API_KEY }).generate({ messages: ask }),
      );
      expect(isAutodevError(error, 'MODEL_CALL_FAILED') && error.retryable).toBe(true);
    });

    it('ends with TASK_CANCELLED when the signal aborts before the reply starts', async () => {
      await withClient(async (client, server) => {
        server.push({ text: 'too late', delayMs: 5_000 });
        const controller = new AbortController();
        setTimeout(() => controller.abort(), 100);
        const started = Date.now();
        const error = await rejection(client.generate({ messages: ask }, controller.signal));
        expect(isAutodevError(error, 'TASK_CANCELLED')).toBe(true);
        expect(Date.now() - started).toBeLessThan(4_000);
      });
    });

    it('ends with TASK_CANCELLED when the signal aborts in the middle of a stream', async () => {
      await withClient(async (client, server) => {
        server.push({ text: 'a long reply that streams slowly, one fragment at a time', chunkDelayMs: 100 });
        const controller = new AbortController();
        setTimeout(() => controller.abort(), 350);
        const error = await rejection(client.generate({ messages: ask }, controller.signal));
        expect(isAutodevError(error, 'TASK_CANCELLED')).toBe(true);
      });
    });

    it('ends with MODEL_TIMEOUT when the reply takes longer than timeout_secs', async () => {
      await withClient(
        async (client, server) => {
          server.push({ text: 'slow', delayMs: 2_500 });
          const error = await rejection(client.generate({ messages: ask }));
          expect(isAutodevError(error, 'MODEL_TIMEOUT')).toBe(true);
        },
        { timeout_secs: 1 },
      );
    });

    it('ends with MODEL_TIMEOUT when a started stream outlasts timeout_secs', async () => {
      await withClient(
        async (client, server) => {
          server.push({
            text: 'a reply whose fragments trickle in slower than the deadline allows',
            chunkDelayMs: 250,
          });
          const error = await rejection(client.generate({ messages: ask }));
          expect(isAutodevError(error, 'MODEL_TIMEOUT')).toBe(true);
        },
        { timeout_secs: 1 },
      );
    });

    it('fails with MODEL_API_KEY_MISSING naming the env var, sending nothing, when there is no key', async () => {
      await withClient(
        async (client, server) => {
          const error = await rejection(client.generate({ messages: ask }));
          expect(isAutodevError(error, 'MODEL_API_KEY_MISSING')).toBe(true);
          expect(error instanceof Error && error.message).toContain('CONFORMANCE_KEY');
          expect(server.requests).toHaveLength(0);
        },
        {},
        {},
      );
    });
  });
}
