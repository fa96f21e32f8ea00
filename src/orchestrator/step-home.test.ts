import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createBubblewrapSandbox } from '../sandbox/bubblewrap.js';
import { createNoneSandbox } from '../sandbox/none.js';
import type { Sandbox } from '../sandbox/types.js';
import { stepHomesOf, taskHomeDir, withStepHome } from './step-home.js';

/**
 * object-inspect's tests run under nyc, whose spawn-wrap writes a `node` shim (CommonJS, no
 * extension) into HOME and runs every child node through it. With data_dir inside an ESM project
 * (`"type": "module"`, as autodev's own checkout is for the corpus bench) node read the shim as an
 * ES module and it failed at once ("Illegal return statement"): TESTS_UNAVAILABLE.
 */
describe.each<[string, () => Sandbox]>([
  ['none', () => createNoneSandbox({ hostEnv: process.env })],
  ['bubblewrap', () => createBubblewrapSandbox({ hostEnv: process.env })],
])('a HOME under a data_dir inside an ESM project (%s sandbox)', (_name, create) => {
  let project: string;
  let workspace: string;
  beforeAll(async () => {
    project = await mkdtemp(join(tmpdir(), 'autodev-esm-project-'));
    await writeFile(join(project, 'package.json'), '{ "name": "host-project", "type": "module" }\n');
    workspace = join(project, 'workspace');
    await mkdir(workspace);
  });
  afterAll(() => rm(project, { recursive: true, force: true }));

  // What spawn-wrap writes: a script named `node`, CommonJS, with a top-level return.
  const shim =
    '#!/usr/bin/env node\nif (process.argv.length > 1) { console.log("shim ran as CommonJS"); return; }\n';
  const runShim = async (home: string) => {
    await mkdir(join(home, '.node-spawn-wrap-1'), { recursive: true });
    await writeFile(join(home, '.node-spawn-wrap-1', 'node'), shim, { mode: 0o755 });
    return create().run({
      argv: ['node', join(home, '.node-spawn-wrap-1', 'node')],
      cwd: workspace,
      timeoutMs: 60_000,
      homeDir: home,
    });
  };

  it("runs a CommonJS shim written into the task's HOME as CommonJS", async () => {
    const home = taskHomeDir(join(project, 'data'), 'task-1');
    const result = await runShim(home);
    expect({ exitCode: result.exitCode, stdout: result.stdout }).toEqual({
      exitCode: 0,
      stdout: 'shim ran as CommonJS\n',
    });
  });

  it("and in a step's fresh HOME", async () => {
    const taskHome = taskHomeDir(join(project, 'data'), 'task-2');
    const result = await withStepHome(taskHome, 'test', runShim);
    expect(result.exitCode).toBe(0);
    expect(result.stdout).toBe('shim ran as CommonJS\n');
    expect(stepHomesOf(taskHome)).toBe(`${taskHome}.steps`);
  });
});
