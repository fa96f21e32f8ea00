import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdir, mkdtemp, readFile, rm, utimes, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createGitRunner } from './run-git.js';
import { discardUntrackedSince, markUntracked } from './untracked-guard.js';
import { createWorkspaceGit } from './workspace-git.js';

const exec = promisify(execFile);
const runGit = createGitRunner({ env: process.env });
/** Subcommands of the git processes started through `wg`. */
const started: string[] = [];
const wg = createWorkspaceGit({
  git: (args, options) => {
    started.push(args.find((a) => !a.startsWith('-')) ?? '');
    return runGit(args, options);
  },
});

describe('discardUntrackedSince: what the model wrote outside git is gone before verification', () => {
  let dir: string;
  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), 'autodev-untracked-'));
    const git = (...args: string[]) =>
      exec('git', ['-c', 'user.name=t', '-c', 'user.email=t@t', ...args], { cwd: dir });
    await git('init', '-q');
    await writeFile(join(dir, '.gitignore'), 'node_modules/\nconftest.py\n');
    await writeFile(join(dir, 'calc.py'), 'x = 1\n');
    await git('add', '.');
    await git('commit', '-qm', 'base');
    // What setup installed before the round.
    await mkdir(join(dir, 'node_modules', '.bin'), { recursive: true });
    await writeFile(join(dir, 'node_modules', '.bin', 'jest'), 'real jest\n');
    await writeFile(join(dir, 'node_modules', 'lib.js'), 'module.exports = 1;\n');
  });
  afterEach(() => rm(dir, { recursive: true, force: true }));

  it('removes untracked files added or rewritten after the mark, even back-dated, and keeps the rest', async () => {
    // Coarse filesystem clocks: the round's writes come well after the mark, as a model call would.
    await new Promise((resolve) => setTimeout(resolve, 50));
    const mark = await markUntracked();
    await new Promise((resolve) => setTimeout(resolve, 50));
    await writeFile(join(dir, 'node_modules', '.bin', 'jest'), '#!/bin/sh\necho "all passed"\n');
    await writeFile(join(dir, 'conftest.py'), 'import pytest\n');
    // A back-dated file: its mtime says 2001, its ctime (which no command can set) says now.
    await writeFile(join(dir, 'node_modules', 'evil.pth'), 'import os\n');
    await utimes(join(dir, 'node_modules', 'evil.pth'), new Date('2001-01-01'), new Date('2001-01-01'));
    // A folder with a repository of its own, which git lists as one entry (`vendor/shim/`).
    await mkdir(join(dir, 'vendor', 'shim'), { recursive: true });
    await exec('git', ['init', '-q'], { cwd: join(dir, 'vendor', 'shim') });
    await writeFile(join(dir, 'vendor', 'shim', 'conftest.py'), 'import pytest\n');
    // A tracked file the round changed is the change itself: never touched here.
    await writeFile(join(dir, 'calc.py'), 'x = 2\n');
    try {
      const removed = await discardUntrackedSince(wg, dir, mark);
      expect(removed.filter((f) => !f.startsWith('vendor/shim/.git/')).sort()).toEqual([
        'conftest.py',
        'node_modules/.bin/jest',
        'node_modules/evil.pth',
        'vendor/shim/conftest.py',
      ]);
    } finally {
      await mark.release();
    }
    expect(existsSync(join(dir, 'conftest.py'))).toBe(false);
    expect(existsSync(join(dir, 'node_modules', 'lib.js'))).toBe(true);
    expect(await readFile(join(dir, 'calc.py'), 'utf8')).toBe('x = 2\n');
    expect(existsSync(mark.marker)).toBe(false);
  });

  it("asks git nothing when the round wrote only the change's own files, and still removes a planted one", async () => {
    await new Promise((resolve) => setTimeout(resolve, 50));
    const mark = await markUntracked();
    await new Promise((resolve) => setTimeout(resolve, 50));
    await writeFile(join(dir, 'calc.py'), 'x = 2\n');
    await writeFile(join(dir, 'new_module.py'), 'y = 1\n');
    try {
      started.length = 0;
      expect(await discardUntrackedSince(wg, dir, mark, ['calc.py', 'new_module.py'])).toEqual([]);
      expect(started).toEqual([]);
      // One file beside the change: git is asked, and the planted file goes.
      await writeFile(join(dir, 'conftest.py'), 'import pytest\n');
      const removed = await discardUntrackedSince(wg, dir, mark, ['calc.py', 'new_module.py']);
      expect(removed).toEqual(['conftest.py']);
      expect(started).toEqual(['ls-files']);
    } finally {
      await mark.release();
    }
    expect(await readFile(join(dir, 'new_module.py'), 'utf8')).toBe('y = 1\n');
    expect(existsSync(join(dir, 'conftest.py'))).toBe(false);
  });
});
