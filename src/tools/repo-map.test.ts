import { mkdir, mkdtemp, rm, symlink, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { writePythonFixture } from '../../test/fixtures/languages.js';
import { git } from '../../test/fixtures/repo.js';
import { startTestRuntime, type TestRuntime } from '../../test/helpers/runtime.js';
import {
  startScriptedModelServer,
  type ScriptedModelServer,
} from '../../test/helpers/scripted-model-server.js';
import { REPO_MAP_SNIPPET_PATH } from '../repomap/prompt-snippet.js';
import { createAgentToolbox } from './agent-toolbox.js';
import type { ToolContext } from './types.js';

describe('the repo_map tool and the map in the first model request', () => {
  let model: ScriptedModelServer;
  let runtime: TestRuntime;
  let root: string;
  let dir: string;
  let ctx: ToolContext;

  beforeAll(async () => {
    model = await startScriptedModelServer();
    runtime = await startTestRuntime({
      configToml: `[autodev.llm]\napi_url = "${model.openaiUrl}"\napi_key_env = "MAP_TEST_KEY"\nrepo_map_tokens = 512\n`,
      env: { MAP_TEST_KEY: 'sk-map-test' },
    });
    root = await mkdtemp(path.join(os.tmpdir(), 'autodev-repo-map-'));
    dir = path.join(root, 'ws');
    await mkdir(dir);
    await writePythonFixture(dir, 'failing');
    await mkdir(path.join(dir, 'geometry'));
    await writeFile(
      path.join(dir, 'geometry', 'shapes.py'),
      'class Circle:\n    def area(self):\n        return 3\n',
    );
    await writeFile(path.join(root, 'outside.py'), 'def outside_secret():\n    pass\n');
    await symlink(root, path.join(dir, 'escape'));
    ctx = {
      workspaceDir: dir,
      signal: new AbortController().signal,
      log: runtime.runtime.log,
      services: runtime.runtime.services,
      onOutput: () => undefined,
      onModelCall: () => undefined,
    };
  });
  afterAll(async () => {
    await runtime.close();
    await model.close();
    await rm(root, { recursive: true, force: true });
  });

  it('maps the repository ranked by a query, through the registry', async () => {
    const { output, summary } = await runtime.runtime.tools
      .get('repo_map')
      .run({ query: 'sub is wrong' }, ctx);
    expect(output).toMatchObject({ files_mapped: 5, files_skipped: 0 });
    const text = (output as { text: string }).text;
    expect(text.split('\n')[0]).toBe('calc.py');
    expect(text).toContain('  5: def sub(a, b):');
    expect(text).not.toContain('outside_secret');
    expect(summary).toMatch(/^5 file\(s\) mapped, \d+ tokens$/);
  });

  it('maps only a folder when asked, as the model sees it', async () => {
    const toolbox = createAgentToolbox(runtime.runtime.tools.list(), ctx);
    expect(toolbox.definitions.map((tool) => tool.name)).toContain('repo_map');
    const result = await toolbox.call({ id: 'c1', name: 'repo_map', arguments: { path: 'geometry' } });
    expect(result.text).toBe(
      'geometry/shapes.py\n  1: class Circle:\n  2: def area(self):\n(1 files mapped, 0 skipped)',
    );
  });

  it('refuses a folder outside the workspace and bad input, naming the field', async () => {
    await expect(runtime.runtime.tools.get('repo_map').run({ path: 'escape' }, ctx)).rejects.toMatchObject({
      code: 'WORKSPACE_ESCAPE',
    });
    await expect(runtime.runtime.tools.get('repo_map').run({ tokens: 10 }, ctx)).rejects.toMatchObject({
      code: 'TOOL_INPUT_INVALID',
      message: expect.stringContaining('tokens'),
    });
  });

  it('puts the map ranked for the task into the first request codegen sends to the model', async () => {
    await git(dir, ['init', '-q']);
    await git(dir, ['add', '-A']);
    await git(dir, ['commit', '-qm', 'fixture']);
    const head = (await git(dir, ['rev-parse', 'HEAD'])).trim();
    model.push(
      {
        toolCalls: [
          {
            name: 'apply_edit',
            arguments: {
              search_replace: [{ path: 'calc.py', search: '    return a - b', replace: '    return b - a' }],
            },
          },
        ],
      },
      { text: 'Changed sub.' },
    );
    const before = model.requests.length;
    await runtime.runtime.tools
      .get('codegen')
      .run(
        { title: 'sub returns the wrong sign', description: 'Fix sub in calc.py.', from_commit: head },
        ctx,
      );
    const first = JSON.stringify(model.requests[before]?.body);
    expect(first).toContain(REPO_MAP_SNIPPET_PATH);
    expect(first).toContain('calc.py\\n  1: def add(a, b):\\n  5: def sub(a, b):');
    expect(model.requests).toHaveLength(before + 2);
  });
});
