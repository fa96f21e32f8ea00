import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { startTestRuntime, type TestRuntime } from '../../test/helpers/runtime.js';
import { createAgentToolbox } from './agent-toolbox.js';
import { defineTool } from './define.js';
import { registerTool } from './register.js';
import type { ToolContext } from './types.js';

describe('createAgentToolbox', () => {
  let runtime: TestRuntime;
  let ctx: ToolContext;
  beforeAll(async () => {
    runtime = await startTestRuntime();
    ctx = {
      workspaceDir: runtime.dataDir,
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
      ['apply_edit', 'build', 'lint', 'list_files', 'read_file', 'run', 'search', 'test'].sort(),
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
});
