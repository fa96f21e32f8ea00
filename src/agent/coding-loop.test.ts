import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { startTestRuntime, type TestRuntime } from '../../test/helpers/runtime.js';
import { startScriptedModelServer } from '../../test/helpers/scripted-model-server.js';
import type { ScriptedModelServer } from '../../test/helpers/scripted-model-server.js';
import { llmConfigSchema } from '../config/schema.js';
import { isAutodevError } from '../errors.js';
import { createModelClient } from '../llm/index.js';
import type { ChatMessage, ModelClient } from '../llm/types.js';
import { createAgentToolbox } from '../tools/agent-toolbox.js';
import type { AgentToolbox } from './types.js';
import { createGitWorkspace } from './__fixtures__/git-workspace.js';
import { runCodingLoop } from './coding-loop.js';
import type { ModelCallInfo } from './coding-loop.js';

const START: ChatMessage[] = [
  { role: 'system', content: 'You are autodev.' },
  { role: 'user', content: 'Fix add() in src/add.ts: it subtracts.' },
];
const BUGGY = 'export function add(a: number, b: number) {\n  return a - b;\n}\n';
const FIXED = 'export function add(a: number, b: number) {\n  return a + b;\n}\n';

// The whole path runs for real: loop -> provider client -> HTTP on loopback -> scripted server, and
// tools -> files in a temp git repo. Only the model's replies are scripted.
describe.each(['openai', 'anthropic'] as const)('runCodingLoop with the %s client', (provider) => {
  let server: ScriptedModelServer;
  let dir: string;
  let cleanup: () => Promise<void>;
  let model: ModelClient;
  let runtime: TestRuntime;

  // The tools are the registry's, bound to the temp repo as codegen binds them to a worktree.
  beforeAll(async () => {
    runtime = await startTestRuntime();
  });
  afterAll(async () => {
    await runtime.close();
  });
  const registryToolsIn = (workspaceDir: string): AgentToolbox =>
    createAgentToolbox(runtime.runtime.tools.list(), {
      workspaceDir,
      signal: new AbortController().signal,
      log: runtime.runtime.log,
      services: runtime.runtime.services,
      onOutput: () => undefined,
      onModelCall: () => undefined,
    });

  beforeEach(async () => {
    server = await startScriptedModelServer();
    ({ dir, cleanup } = await createGitWorkspace({ 'src/add.ts': BUGGY, 'README.md': '# calc\n' }));
    const api_url = provider === 'openai' ? server.openaiUrl : server.anthropicUrl;
    model = createModelClient(llmConfigSchema.parse({ provider, model: 'test-model', api_url }), {
      apiKey: 'sk-test',
    });
  });
  afterEach(async () => {
    await server.close();
    await cleanup();
  });

  const sourceNow = () => readFile(path.join(dir, 'src/add.ts'), 'utf8');
  const sentBody = (index: number) => JSON.stringify(server.requests[index]?.body);

  it('reads through tools, edits with apply_edit, and stops at the answer without tool calls', async () => {
    server.push(
      { toolCalls: [{ name: 'list_files', arguments: {} }], usage: { input: 100, output: 10 } },
      {
        toolCalls: [{ name: 'read_file', arguments: { path: 'src/add.ts' } }],
        usage: { input: 120, output: 10 },
      },
      {
        toolCalls: [
          {
            name: 'apply_edit',
            arguments: {
              search_replace: [{ path: 'src/add.ts', search: '  return a - b;', replace: '  return a + b;' }],
            },
          },
        ],
        usage: { input: 150, output: 30 },
      },
      { text: 'Changed the subtraction in add() to an addition.', usage: { input: 170, output: 12 } },
    );
    const calls: ModelCallInfo[] = [];
    const result = await runCodingLoop({
      model,
      messages: START,
      tools: registryToolsIn(dir),
      maxTurns: 10,
      onModelCall: (info) => calls.push(info),
    });

    expect(await sourceNow()).toBe(FIXED);
    expect(result).toMatchObject({
      filesTouched: ['src/add.ts'],
      editsApplied: 1,
      finalText: 'Changed the subtraction in add() to an addition.',
      usage: { inputTokens: 540, outputTokens: 62 },
      turns: 4,
      stopReason: 'done',
    });
    expect(calls.map((call) => [call.turn, call.inputTokens, call.outputTokens, call.toolCalls])).toEqual([
      [1, 100, 10, 1],
      [2, 120, 10, 1],
      [3, 150, 30, 1],
      [4, 170, 12, 0],
    ]);
    expect(calls.every((call) => call.durationMs >= 0 && call.provider === provider)).toBe(true);
    // The tools were offered, and each result went back to the model on the next call.
    expect(sentBody(0)).toContain('apply_edit');
    expect(sentBody(1)).toContain('README.md');
    expect(sentBody(2)).toContain('return a - b;');
    expect(sentBody(3)).toContain('Applied 1 edit(s); changed: src/add.ts');
  });

  it('gives a tool error back to the model, which corrects itself', async () => {
    server.push(
      { toolCalls: [{ name: 'read_file', arguments: { file: 'src/add.ts' } }] },
      {
        toolCalls: [
          {
            name: 'apply_edit',
            arguments: { search_replace: [{ path: 'src/add.ts', search: 'return a-b;', replace: 'x' }] },
          },
        ],
      },
      {
        toolCalls: [
          {
            name: 'apply_edit',
            arguments: {
              search_replace: [{ path: 'src/add.ts', search: '  return a - b;', replace: '  return a + b;' }],
            },
          },
        ],
      },
      { text: 'Done.' },
    );
    const result = await runCodingLoop({
      model,
      messages: START,
      tools: registryToolsIn(dir),
      maxTurns: 10,
    });
    expect(sentBody(1)).toContain('invalid input for tool read_file');
    expect(sentBody(2)).toContain('SEARCH text was not found');
    expect(result.filesTouched).toEqual(['src/add.ts']);
    expect(await sourceNow()).toBe(FIXED);
  });

  // Reported: a one-line SEARCH ending in a newline, as tool-calling models send it, was "not found".
  it('applies an apply_edit whose SEARCH is one indented line followed by a newline', async () => {
    server.push(
      {
        toolCalls: [
          {
            name: 'apply_edit',
            arguments: {
              search_replace: [
                { path: 'src/add.ts', search: '  return a - b;\n', replace: '  return a + b;\n' },
              ],
            },
          },
        ],
      },
      { text: 'Done.' },
    );
    const result = await runCodingLoop({ model, messages: START, tools: registryToolsIn(dir), maxTurns: 4 });
    expect(sentBody(1)).toContain('Applied 1 edit(s); changed: src/add.ts');
    expect(result.filesTouched).toEqual(['src/add.ts']);
    expect(await sourceNow()).toBe(FIXED);
  });

  it('works with a model that cannot call tools: a diff in the reply is applied', async () => {
    const diff = [
      '--- a/src/add.ts',
      '+++ b/src/add.ts',
      '@@ -1,3 +1,3 @@',
      ' export function add(a: number, b: number) {',
      '-  return a - b;',
      '+  return a + b;',
      ' }',
    ].join('\n');
    server.push({ text: `The fix:\n\n\`\`\`diff\n${diff}\n\`\`\`\n` });
    const result = await runCodingLoop({
      model,
      messages: START,
      tools: registryToolsIn(dir),
      maxTurns: 3,
      toolCalling: false,
    });
    expect(result).toMatchObject({
      filesTouched: ['src/add.ts'],
      editsApplied: 1,
      turns: 1,
      stopReason: 'done',
    });
    expect(await sourceNow()).toBe(FIXED);
    expect(server.requests[0]?.body).not.toHaveProperty('tools');
  });

  it('asks again when a reply holds no edit or one that does not apply, then applies the good one', async () => {
    server.push(
      { text: 'You should change the minus to a plus.' },
      { text: 'src/add.ts\n<<<<<<< SEARCH\n  return a * b;\n=======\n  return a + b;\n>>>>>>> REPLACE\n' },
      { text: 'src/add.ts\n<<<<<<< SEARCH\n  return a - b;\n=======\n  return a + b;\n>>>>>>> REPLACE\n' },
    );
    const result = await runCodingLoop({
      model,
      messages: START,
      tools: registryToolsIn(dir),
      maxTurns: 5,
      toolCalling: false,
    });
    expect(sentBody(1)).toContain('<<<<<<< SEARCH'); // the format was explained
    expect(sentBody(2)).toContain('did not apply');
    expect(result).toMatchObject({ filesTouched: ['src/add.ts'], turns: 3 });
    expect(await sourceNow()).toBe(FIXED);
  });

  it('fails with NO_EDIT_FOUND when the turns run out without an edit', async () => {
    server.push({ text: 'Hmm.' }, { text: 'Let me think.' });
    const error = await runCodingLoop({
      model,
      messages: START,
      tools: registryToolsIn(dir),
      maxTurns: 2,
      toolCalling: false,
    }).catch((caught: unknown) => caught);
    expect(isAutodevError(error, 'NO_EDIT_FOUND')).toBe(true);
    expect(server.requests).toHaveLength(2);
  });

  it('fails with PATCH_FAILED, giving the reason, when the last edit never applied', async () => {
    const wrong = 'src/add.ts\n<<<<<<< SEARCH\n  return a * b;\n=======\n  return a + b;\n>>>>>>> REPLACE\n';
    server.push({ text: wrong }, { text: wrong });
    const error = await runCodingLoop({
      model,
      messages: START,
      tools: registryToolsIn(dir),
      maxTurns: 2,
      toolCalling: false,
    }).catch((caught: unknown) => caught);
    expect(isAutodevError(error, 'PATCH_FAILED')).toBe(true);
    expect((error as Error).message).toMatch(/last problem: An edit did not apply: .*src\/add\.ts/);
  });

  it('ends with MODEL_DECLINED quoting the model after two refusals in a row, not after max_turns calls', async () => {
    server.push(
      { text: "I am not able to modify this repository's files." },
      { text: "I'm sorry, but I cannot help with changing this code." },
      { text: 'never asked' },
    );
    const error = await runCodingLoop({
      model,
      messages: START,
      tools: registryToolsIn(dir),
      maxTurns: 20,
      toolCalling: false,
    }).catch((caught: unknown) => caught);
    expect(isAutodevError(error, 'MODEL_DECLINED')).toBe(true);
    expect((error as Error).message).toContain("I'm sorry, but I cannot help with changing this code.");
    expect(server.requests).toHaveLength(2);
  });

  it('ends with NO_EDIT_FOUND after max_declines empty replies in a row, not after max_turns calls', async () => {
    server.push({ text: '' }, { text: '  ' }, { text: 'never asked' });
    const error = await runCodingLoop({
      model,
      messages: START,
      tools: registryToolsIn(dir),
      maxTurns: 20,
      toolCalling: false,
    }).catch((caught: unknown) => caught);
    expect(isAutodevError(error, 'NO_EDIT_FOUND')).toBe(true);
    expect((error as Error).message).toContain('2 empty replies in a row');
    expect(server.requests).toHaveLength(2);
  });

  it('counts only refusals in a row, up to max_declines, and a reply that explains a fix is no refusal', async () => {
    server.push(
      { text: 'I cannot do that.' },
      { text: 'The bug: add() cannot add, it subtracts. Let me look.' },
      { text: 'I cannot do that.' },
      { text: 'I cannot do that either.' },
      { text: 'I will not.' },
    );
    const error = await runCodingLoop({
      model,
      messages: START,
      tools: registryToolsIn(dir),
      maxTurns: 20,
      maxDeclines: 3,
      // Five prose replies: idle turns are counted on their own (see the MODEL_NO_PROGRESS test).
      maxIdleTurns: 10,
      toolCalling: false,
    }).catch((caught: unknown) => caught);
    expect(isAutodevError(error, 'MODEL_DECLINED')).toBe(true);
    expect((error as Error).message).toMatch(/3 time\(s\) in a row.*"I will not\."/);
    expect(server.requests).toHaveLength(5);
  });

  it('ends with MODEL_NO_PROGRESS after max_idle_turns prose replies in a row; a tool call or a failed edit resets the count', async () => {
    const wrong = 'src/add.ts\n<<<<<<< SEARCH\n  return a * b;\n=======\n  return a + b;\n>>>>>>> REPLACE\n';
    server.push(
      { text: 'First I will think.' },
      { toolCalls: [{ name: 'read_file', arguments: { path: 'src/add.ts' } }] },
      { text: 'It subtracts.' },
      { text: wrong },
      { text: 'Still thinking.' },
      { text: 'The minus should be a plus.' },
    );
    const error = await runCodingLoop({
      model,
      messages: START,
      tools: registryToolsIn(dir),
      maxTurns: 20,
      maxIdleTurns: 2,
    }).catch((caught: unknown) => caught);
    expect(isAutodevError(error, 'MODEL_NO_PROGRESS')).toBe(true);
    expect((error as Error).message).toContain('2 time(s) in a row');
    expect((error as Error).message).toContain('it last said: "The minus should be a plus."');
    expect(server.requests).toHaveLength(6);
  });

  it('tells the model a resent SEARCH/REPLACE fix is already applied, and ends without PATCH_FAILED', async () => {
    const fix = 'src/add.ts\n<<<<<<< SEARCH\n  return a - b;\n=======\n  return a + b;\n>>>>>>> REPLACE\n';
    server.push({ text: fix }, { text: fix });
    const tools = registryToolsIn(dir);
    await runCodingLoop({ model, messages: START, tools, maxTurns: 5, toolCalling: false });
    const again = await runCodingLoop({ model, messages: START, tools, maxTurns: 5, toolCalling: false });
    expect(again).toMatchObject({ stopReason: 'already_applied', editsApplied: 0, turns: 1 });
    expect(again.messages.at(-1)?.content).toMatch(/^Already applied: /);
    expect(await sourceNow()).toBe(FIXED);
  });

  it('tells the model a resent diff is already applied (git apply --reverse --check), through apply_edit', async () => {
    const diff =
      '--- a/src/add.ts\n+++ b/src/add.ts\n@@ -1,3 +1,3 @@\n export function add(a: number, b: number) {\n-  return a - b;\n+  return a + b;\n }\n';
    const call = { name: 'apply_edit', arguments: { diff } };
    server.push({ toolCalls: [call] }, { toolCalls: [call] }, { text: 'Done.' });
    const result = await runCodingLoop({
      model,
      messages: START,
      tools: registryToolsIn(dir),
      maxTurns: 5,
    });
    expect(result).toMatchObject({ stopReason: 'done', editsApplied: 1, filesTouched: ['src/add.ts'] });
    expect(sentBody(2)).toContain('Already applied: ');
    expect(sentBody(2)).not.toContain('Error: ');
    expect(await sourceNow()).toBe(FIXED);
  });

  it('stops with TASK_CANCELLED when the signal aborts during a model call, reporting the failed call', async () => {
    server.push({ toolCalls: [{ name: 'list_files', arguments: {} }] }, { text: 'slow', delayMs: 5_000 });
    const controller = new AbortController();
    const calls: ModelCallInfo[] = [];
    const loop = runCodingLoop({
      model,
      messages: START,
      tools: registryToolsIn(dir),
      maxTurns: 5,
      signal: controller.signal,
      onModelCall: (info) => calls.push(info),
    });
    setTimeout(() => controller.abort(), 300);
    const error = await loop.catch((caught: unknown) => caught);
    expect(isAutodevError(error, 'TASK_CANCELLED')).toBe(true);
    expect(calls.at(-1)?.error?.code).toBe('TASK_CANCELLED');
  });

  it('passes a retryable model failure up without swallowing it', async () => {
    server.push({ status: 503 });
    const error = await runCodingLoop({
      model,
      messages: START,
      tools: registryToolsIn(dir),
      maxTurns: 5,
    }).catch((caught: unknown) => caught);
    expect(isAutodevError(error, 'MODEL_CALL_FAILED') && error.retryable).toBe(true);
  });
});
