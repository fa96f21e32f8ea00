import { mkdir, mkdtemp, readFile, rm, symlink } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createBubblewrapSandbox } from './bubblewrap.js';

let base: string;
let dataDir: string;
let workspace: string;
let outside: string;
beforeAll(async () => {
  base = await mkdtemp(path.join(os.tmpdir(), 'autodev-binds-'));
  dataDir = path.join(base, 'data');
  workspace = path.join(dataDir, 'workspaces', 't1');
  outside = path.join(base, 'host-folder');
  for (const dir of [workspace, path.join(dataDir, 'caches', 'r', 'cargo'), outside]) {
    await mkdir(dir, { recursive: true });
  }
});
afterAll(() => rm(base, { recursive: true, force: true }));

describe('bubblewrap extra binds (package caches)', () => {
  const sandbox = () => createBubblewrapSandbox({ hostEnv: process.env, hide: [], bindRoot: dataDir });
  const write = (cache: string, writable: boolean) =>
    sandbox().run({
      argv: ['sh', '-c', 'echo cached > "$1/entry"', 'sh', cache],
      cwd: workspace,
      timeoutMs: 30_000,
      binds: [{ path: cache, writable }],
    });

  it('a writable cache keeps what setup wrote; read-only, a build cannot change it', async () => {
    const cache = path.join(dataDir, 'caches', 'r', 'cargo');
    expect((await write(cache, true)).exitCode).toBe(0);
    expect(await readFile(path.join(cache, 'entry'), 'utf8')).toBe('cached\n');
    const readOnly = await write(cache, false);
    expect(readOnly.exitCode).not.toBe(0);
    expect(readOnly.stderr).toMatch(/Read-only file system/);
  });

  it('a cache folder that is a symlink out of data_dir is refused (WORKSPACE_ESCAPE), nothing runs', async () => {
    const planted = path.join(dataDir, 'caches', 'r', 'npm');
    await symlink(outside, planted);
    await expect(write(planted, true)).rejects.toMatchObject({ code: 'WORKSPACE_ESCAPE' });
    await expect(readFile(path.join(outside, 'entry'), 'utf8')).rejects.toThrow();
  });

  it('a sandbox without a bindRoot binds nothing', async () => {
    const run = createBubblewrapSandbox({ hostEnv: process.env }).run({
      argv: ['true'],
      cwd: workspace,
      timeoutMs: 30_000,
      binds: [{ path: outside, writable: true }],
    });
    await expect(run).rejects.toMatchObject({ code: 'VALIDATION_FAILED' });
  });
});
