import { execFileSync, spawn } from 'node:child_process';
import { existsSync, mkdirSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';

/** A pid that ran, exited and was reaped. */
function deadPid(): number {
  return Number(execFileSync('sh', ['-c', 'true & echo $!; wait'], { encoding: 'utf8' }).trim());
}

describe('temporary folders of a process that died (SIGKILL runs no exit hook)', () => {
  const live = spawn('sleep', ['600']);
  const planted: string[] = [];
  afterAll(() => {
    live.kill('SIGKILL');
    for (const dir of planted) rmSync(dir, { recursive: true, force: true });
  });

  it("are swept by the next process's first folder of that kind; a live process's stay", () => {
    const dead = path.join(os.tmpdir(), `autodev-accounts-${deadPid()}-AbC123`);
    const alive = path.join(os.tmpdir(), `autodev-accounts-${live.pid ?? 0}-XyZ789`);
    for (const dir of [dead, alive]) {
      mkdirSync(dir);
      planted.push(dir);
      writeFileSync(path.join(dir, 'passwd'), 'root:x:0:0::/:/bin/sh\n');
    }
    // A fresh process: the sweep runs once per process, at its first account folder.
    const out = execFileSync(
      process.execPath,
      [
        '--import',
        'tsx',
        '-e',
        "import('./src/sandbox/sandbox-accounts.ts').then((m) => console.log(m.sandboxAccountFiles(1234)))",
      ],
      { cwd: path.join(import.meta.dirname, '..', '..'), encoding: 'utf8' },
    );
    expect(path.basename(out.trim())).toMatch(/^autodev-accounts-\d+-/);
    expect(existsSync(dead)).toBe(false);
    expect(existsSync(alive)).toBe(true);
    // Its own folder went with its exit hook.
    expect(existsSync(out.trim())).toBe(false);
  });
});
