import { mkdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { startTestRuntime, type TestRuntime } from '../../test/helpers/runtime.js';
import { MAX_TOOL_RESULT_CHARS, runAgentTool } from '../agent/run-agent-tool.js';
import { createAgentToolbox } from './agent-toolbox.js';
import { defineTool } from './define.js';
import { registerTool } from './register.js';
import type { ToolContext } from './types.js';

describe('createAgentToolbox', () => {
  let runtime: TestRuntime;
  let ctx: ToolContext;
  beforeAll(async () => {
    runtime = await startTestRuntime();
    const workspaceDir = path.join(runtime.dataDir, 'ws');
    await mkdir(workspaceDir, { recursive: true });
    // 100 KB: readable by read_file (256 KB), far over what one tool result may add to the conversation.
    await writeFile(path.join(workspaceDir, 'big.txt'), 'x'.repeat(100_000));
    ctx = {
      workspaceDir,
      signal: new AbortController().signal,
      log: runtime.runtime.log,
      services: runtime.runtime.services,
      onOutput: () => undefined,
      onModelCall: () => undefined,
    };
  });
  afterAll(async () => {
    await runtime.close();
  });

  it('offers the registry tools marked for the agent, with JSON Schema generated from their zod schemas', () => {
    const toolbox = createAgentToolbox(runtime.runtime.tools.list(), ctx);
    expect(toolbox.definitions.map((tool) => tool.name).sort()).toEqual(
      ['apply_edit', 'build', 'lint', 'list_files', 'read_file', 'repo_map', 'run', 'search', 'test'].sort(),
    );
    for (const tool of toolbox.definitions) {
      expect(tool.parameters).toMatchObject({ type: 'object' });
      expect(tool.parameters).not.toHaveProperty('$schema');
      expect(tool.description).not.toBe('');
    }
    expect(toolbox.definitions.find((tool) => tool.name === 'read_file')?.parameters).toMatchObject({
      properties: { path: { type: 'string' } },
      required: ['path'],
      additionalProperties: false,
    });
    // The agent's `run` has no way to ask for network, unlike the registry's `runner`.
    const run = toolbox.definitions.find((tool) => tool.name === 'run')?.parameters;
    expect(run).toMatchObject({ additionalProperties: false });
    expect(JSON.stringify(run)).not.toContain('network');
  });

  it('refuses two registry tools offered under one name', () => {
    const echo = (name: string) =>
      registerTool(
        defineTool({
          name,
          description: 'echo',
          inputSchema: z.object({}),
          invoke: () => Promise.resolve('x'),
          summarize: (out) => out,
          agent: { name: 'echo' },
        }),
      );
    expect(() => createAgentToolbox([echo('a'), echo('b')], ctx)).toThrow(/two registry tools.*"echo"/);
  });

  it('caps what one tool result adds to the conversation', async () => {
    const toolbox = createAgentToolbox(runtime.runtime.tools.list(), ctx);
    const outcome = await runAgentTool(
      { id: 'c1', name: 'read_file', arguments: { path: 'big.txt' } },
      toolbox,
    );
    expect(outcome.failed).toBe(false);
    expect(outcome.content.length).toBeLessThan(MAX_TOOL_RESULT_CHARS + 100);
    expect(MAX_TOOL_RESULT_CHARS).toBeLessThanOrEqual(16_000);
    expect(outcome.content).toMatch(/truncated 84000 characters$/);
  });

  it('does not let the model call registry tools that are not marked for it (runner takes `network`)', async () => {
    const toolbox = createAgentToolbox(runtime.runtime.tools.list(), ctx);
    const outcome = await runAgentTool(
      { id: 'c1', name: 'runner', arguments: { command: ['true'], network: true } },
      toolbox,
    );
    expect(outcome.failed).toBe(true);
    expect(outcome.content).toContain('there is no tool "runner"');
  });

  it("a multi-repo task's tools take `repo`: each call works in the named repository, an unknown name is the model's to fix", async () => {
    const consumerDir = path.join(runtime.dataDir, 'consumer-ws');
    await mkdir(consumerDir, { recursive: true });
    await writeFile(path.join(consumerDir, 'app.txt'), 'consumer file\n');
    await writeFile(path.join(ctx.workspaceDir, 'app.txt'), 'library file\n');
    const multi: ToolContext = {
      ...ctx,
      repos: [
        { name: 'parser', dir: ctx.workspaceDir, workspaceId: 't1', role: 'library' },
        { name: 'api', dir: consumerDir, workspaceId: 't1.repo-1', role: 'consumer' },
      ],
    };
    const toolbox = createAgentToolbox(runtime.runtime.tools.list(), multi);
    for (const tool of toolbox.definitions) {
      expect(tool.parameters).toMatchObject({
        properties: { repo: { type: 'string', enum: ['parser', 'api'] } },
      });
    }
    const read = (args: Record<string, unknown>) =>
      runAgentTool({ id: 'c1', name: 'read_file', arguments: { path: 'app.txt', ...args } }, toolbox);
    expect((await read({ repo: 'api' })).content).toContain('consumer file');
    expect((await read({ repo: 'parser' })).content).toContain('library file');
    expect((await read({})).content).toContain('library file');
    const unknown = await read({ repo: '../etc' });
    expect(unknown.failed).toBe(true);
    expect(unknown.content).toBe(
      'Error: repo: "../etc" is not a repository of this task; expected one of "parser", "api"',
    );
    // A task of one repository shows no `repo` parameter, and a `repo` argument is refused as unknown.
    const single = createAgentToolbox(runtime.runtime.tools.list(), ctx);
    expect(JSON.stringify(single.definitions)).not.toContain('"repo"');
    const refused = await runAgentTool(
      { id: 'c2', name: 'read_file', arguments: { path: 'app.txt', repo: 'api' } },
      single,
    );
    expect(refused.failed).toBe(true);
  });
});
