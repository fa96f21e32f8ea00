import { mkdtemp, rm } from 'node:fs/promises';
import { createServer, type Server } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { writePythonFixture } from '../../test/fixtures/languages.js';
import { startTestRuntime, type TestRuntime } from '../../test/helpers/runtime.js';
import { startScriptedModelServer } from '../../test/helpers/scripted-model-server.js';
import type { ScriptedModelServer } from '../../test/helpers/scripted-model-server.js';
import { llmConfigSchema } from '../config/schema.js';
import { createModelClient } from '../llm/index.js';
import type { ChatMessage, ModelClient } from '../llm/types.js';
import { createAgentToolbox } from '../tools/agent-toolbox.js';
import { defineTool } from '../tools/define.js';
import { registerTool } from '../tools/register.js';
import type { RegisteredTool } from '../tools/types.js';
import { runCodingLoop } from './coding-loop.js';

const START: ChatMessage[] = [
  { role: 'system', content: 'You are autodev.' },
  { role: 'user', content: 'Fix sub() in calc.py.' },
];
const FIX = {
  name: 'apply_edit',
  arguments: {
    search_replace: [
      {
        path: 'tests/test_calc.py',
        search: '    assert sub(3, 2) == 0',
        replace: '    assert sub(3, 2) == 1',
      },
    ],
  },
};

// The registry's tools, offered by the real coding loop to a scripted model over HTTP, running in
// the real sandbox against a real Python project. Only the model's replies are scripted.
describe.each(['openai', 'anthropic'] as const)('the coding loop with registry tools (%s)', (provider) => {
  let runtime: TestRuntime;
  let server: ScriptedModelServer;
  let model: ModelClient;
  let dir: string;

  beforeAll(async () => {
    runtime = await startTestRuntime();
  });
  afterAll(async () => {
    await runtime.close();
  });
  beforeEach(async () => {
    server = await startScriptedModelServer();
    const api_url = provider === 'openai' ? server.openaiUrl : server.anthropicUrl;
    model = createModelClient(llmConfigSchema.parse({ provider, model: 'test-model', api_url }), {
      apiKey: 'sk-test',
    });
    dir = await mkdtemp(path.join(os.tmpdir(), 'autodev-agent-tools-'));
    await writePythonFixture(dir, 'failing');
  });
  afterEach(async () => {
    await server.close();
    await rm(dir, { recursive: true, force: true });
  });

  const toolbox = (tools: readonly RegisteredTool[] = runtime.runtime.tools.list()) =>
    createAgentToolbox(tools, {
      workspaceDir: dir,
      signal: new AbortController().signal,
      log: runtime.runtime.log,
      services: runtime.runtime.services,
      onOutput: () => undefined,
      onModelCall: () => undefined,
    });
  const sentBody = (index: number) => JSON.stringify(server.requests[index]?.body);
  const loop = (tools = toolbox()) => runCodingLoop({ model, messages: START, tools, maxTurns: 6 });

  it('lets the model run the tests and read which one fails', async () => {
    server.push(
      { toolCalls: [{ name: 'test', arguments: {} }] },
      { toolCalls: [FIX] },
      { toolCalls: [{ name: 'test', arguments: {} }] },
      { text: 'Fixed the expectation.' },
    );
    const result = await loop();
    expect(result.filesTouched).toEqual(['tests/test_calc.py']);
    // The failing test's name reached the model in the request after its `test` call.
    expect(sentBody(1)).toContain('failed');
    expect(sentBody(1)).toContain('test_subtracts');
    expect(sentBody(3)).toMatch(/passed\\n/);
  });

  it('gives the model no network through `run`, even when it asks for it', async () => {
    const connections: string[] = [];
    const listener: Server = createServer((socket) => {
      connections.push(String(socket.remoteAddress));
      socket.end('HELLO_FROM_HOST\n');
    });
    await new Promise<void>((resolve) => listener.listen(0, '127.0.0.1', resolve));
    const address = listener.address();
    const port = typeof address === 'object' && address !== null ? address.port : 0;
    const connect = `import socket; s = socket.create_connection(("127.0.0.1", ${port}), 3); print("GOT", s.recv(100))`;
    try {
      server.push(
        { toolCalls: [{ name: 'run', arguments: { command: ['python3', '-c', connect], network: true } }] },
        { toolCalls: [{ name: 'run', arguments: { command: ['python3', '-c', connect] } }] },
        { toolCalls: [FIX] },
        { text: 'Done.' },
      );
      await loop();
    } finally {
      await new Promise<void>((resolve) => listener.close(() => resolve()));
    }
    expect(connections).toEqual([]);
    // Asking for network is an error the model reads, naming the key.
    expect(sentBody(1)).toContain('invalid input for tool run');
    expect(sentBody(1)).toContain('network');
    // The command ran, in the sandbox's own empty network: refused, and nothing came from the host.
    expect(sentBody(2)).toMatch(/exit [1-9]/);
    expect(sentBody(2)).toMatch(/ConnectionRefused|Network is unreachable|Errno/);
    expect(sentBody(2)).not.toContain('HELLO_FROM_HOST');
  });

  it('offers a tool added to the registry and marked for the agent, and tells the model its output', async () => {
    const stampTool = registerTool(
      defineTool({
        name: 'stamp',
        description: 'Stamps a word.',
        inputSchema: z.object({ word: z.string().min(1).describe('The word to stamp.') }).strict(),
        invoke: ({ word }) => Promise.resolve({ stamped: `STAMPED_${word}` }),
        summarize: (out) => out.stamped,
        agent: { name: 'stamp_word', description: 'Stamp a word (test tool).' },
      }),
    );
    server.push(
      { toolCalls: [{ name: 'stamp_word', arguments: { word: 'alpha' } }] },
      { toolCalls: [FIX] },
      { text: 'Done.' },
    );
    await loop(toolbox([...runtime.runtime.tools.list(), stampTool]));
    const offered = sentBody(0);
    expect(offered).toContain('"stamp_word"');
    expect(offered).toContain('Stamp a word (test tool).');
    expect(offered).toContain('The word to stamp.');
    expect(sentBody(1)).toContain('STAMPED_alpha');
  });
});
