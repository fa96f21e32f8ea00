import { execFile } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { mkdir, mkdtemp, rm, symlink, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestRuntime, type TestRuntime } from '../../test/helpers/runtime.js';
import { runAgentTool } from '../agent/run-agent-tool.js';
import type { AgentToolbox } from '../agent/types.js';
import { isAutodevError } from '../errors.js';
import { createRipgrepSearch } from '../search/ripgrep.js';
import { createAgentToolbox } from './agent-toolbox.js';
import type { ToolContext } from './types.js';

const run = promisify(execFile);
const OUTSIDE_SECRET = 'OUTSIDE_SECRET_0d9c1f';

// The repository and the model are hostile: a link committed in the repo (`up -> ../..`) or created by
// the model's own apply_edit (`x -> /`) must not let search or list_files read outside the workspace.
// Layout: <root>/secret.txt is outside; <root>/nest/ws is the workspace, so `../..` from it is <root>.
describe('workspace tools and symbolic links', () => {
  // Made at collection: the test tables below name paths under it.
  const root = mkdtempSync(path.join(os.tmpdir(), 'autodev-symlinks-'));
  const ws = path.join(root, 'nest', 'ws');
  let runtime: TestRuntime;
  let ctx: ToolContext;
  let agent: AgentToolbox;

  beforeAll(async () => {
    await mkdir(path.join(ws, 'src'), { recursive: true });
    await writeFile(path.join(root, 'secret.txt'), `${OUTSIDE_SECRET}\n`);
    await writeFile(path.join(ws, 'src', 'a.ts'), 'export const inside = "INSIDE_MARK";\n');
    await symlink('../..', path.join(ws, 'up'));
    await symlink('src', path.join(ws, 'alias'));
    await run('git', ['init', '-q'], { cwd: ws });
    await run('git', ['add', 'src/a.ts', 'up', 'alias'], { cwd: ws });
    await run('git', ['-c', 'user.name=t', '-c', 'user.email=t@t', 'commit', '-qm', 'init'], { cwd: ws });

    runtime = await startTestRuntime();
    ctx = {
      workspaceDir: ws,
      signal: new AbortController().signal,
      log: runtime.runtime.log,
      services: runtime.runtime.services,
      onOutput: () => undefined,
      onModelCall: () => undefined,
    };
    agent = createAgentToolbox(runtime.runtime.tools.list(), ctx);
    // The model creates `x -> /` itself, through the one edit tool it has.
    const created = await runAgentTool(
      {
        id: 'edit',
        name: 'apply_edit',
        arguments: {
          diff: 'diff --git a/x b/x\nnew file mode 120000\n--- /dev/null\n+++ b/x\n@@ -0,0 +1 @@\n+/\n\\ No newline at end of file\n',
        },
      },
      agent,
    );
    expect(created.failed).toBe(false);
  });
  afterAll(async () => {
    await runtime.close();
    await rm(root, { recursive: true, force: true });
  });

  const callAgent = (name: string, args: Record<string, unknown>) =>
    runAgentTool({ id: name, name, arguments: args }, agent);
  const callTool = (name: string, input: Record<string, unknown>) =>
    runtime.runtime.tools.get(name).run(input, ctx);
  const refusal = async (promise: Promise<unknown>) => {
    const error: unknown = await promise.then(
      () => undefined,
      (e: unknown) => e,
    );
    if (!isAutodevError(error)) throw new Error(`expected a refusal, got ${String(error)}`);
    return error;
  };
  const viaX = (file: string) => `x${path.join(root, file)}`;

  it.each([
    ['a link to / created by apply_edit', viaX('secret.txt')],
    ['a committed link up -> ../..', 'up/secret.txt'],
    ['a committed link up -> ../.. (folder)', 'up'],
    ['/proc through a link to /', `x/proc/${process.pid}/environ`],
  ])('the model search refuses %s, naming the path', async (_name, target) => {
    const out = await callAgent('search', { pattern: 'SECRET|PATH=', path: target });
    expect(out.failed).toBe(true);
    expect(out.content).toContain(JSON.stringify(target));
    expect(out.content).toContain('leaves the workspace');
    expect(out.content).not.toContain(OUTSIDE_SECRET);
  });

  it.each([
    ['a link to / created by apply_edit', viaX('')],
    ['a committed link up -> ../..', 'up'],
  ])('the model list_files refuses %s, naming the path', async (_name, target) => {
    const out = await callAgent('list_files', { path: target });
    expect(out.failed).toBe(true);
    expect(out.content).toContain(JSON.stringify(target));
    expect(out.content).not.toContain('secret.txt');
  });

  it('a search or listing of the whole workspace never walks into the links', async () => {
    const search = await callAgent('search', { pattern: 'SECRET|INSIDE_MARK' });
    expect(search.content).toBe('src/a.ts:1: export const inside = "INSIDE_MARK";');
    const list = await callAgent('list_files', {});
    expect(list.content.split('\n')).toEqual(['src/a.ts']);
  });

  it('a link that stays inside the workspace is allowed and answered under its real path', async () => {
    const search = await callAgent('search', { pattern: 'INSIDE_MARK', path: 'alias' });
    expect(search.content).toBe('src/a.ts:1: export const inside = "INSIDE_MARK";');
    const list = await callAgent('list_files', { path: 'alias' });
    expect(list.content).toBe('src/a.ts');
  });

  it.each([
    ['up', 'up'],
    ['up/secret.txt', 'up/secret.txt'],
    ['x/<outside>/secret.txt', viaX('secret.txt')],
  ])('repo_search and file_list refuse %s with VALIDATION_FAILED naming it', async (_name, target) => {
    // One call at a time: a second call started early would reject while the first is awaited, an
    // unhandled rejection that fails the run whatever the assertions say.
    for (const attempt of [
      () => callTool('repo_search', { pattern: 'SECRET', path: target }),
      () => callTool('file_list', { path: target }),
    ]) {
      const error = await refusal(attempt());
      expect(error.code).toBe('VALIDATION_FAILED');
      expect(error.message).toContain(JSON.stringify(target));
      expect(error.message).not.toContain(OUTSIDE_SECRET);
    }
  });

  it('ripgrep ignores a config the environment points at (it could add --follow)', async () => {
    // The runtime gives ripgrep only PATH and HOME, but the search must not depend on that: with
    // RIPGREP_CONFIG_PATH naming a config that says --follow, a walk still never enters `out -> ../outside`.
    const other = await mkdtemp(path.join(os.tmpdir(), 'autodev-rgconfig-'));
    try {
      const repo = path.join(other, 'ws');
      await mkdir(repo);
      await mkdir(path.join(other, 'outside'));
      await writeFile(path.join(other, 'outside', 'secret.txt'), `${OUTSIDE_SECRET}\n`);
      await writeFile(path.join(repo, '.ripgreprc'), '--follow\n');
      await symlink('../outside', path.join(repo, 'out'));
      const search = createRipgrepSearch({
        env: {
          PATH: process.env.PATH ?? '/usr/bin:/bin',
          RIPGREP_CONFIG_PATH: path.join(repo, '.ripgreprc'),
        },
      });
      expect((await search.search(repo, OUTSIDE_SECRET, { fixedStrings: true })).matches).toEqual([]);
      expect((await search.listFiles(repo)).files).toEqual(['.ripgreprc']);
    } finally {
      await rm(other, { recursive: true, force: true });
    }
  });
});
