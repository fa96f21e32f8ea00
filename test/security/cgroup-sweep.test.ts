import { execFileSync, spawn } from 'node:child_process';
import { existsSync, mkdirSync, rmdirSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { ownCgroupDir } from '../../src/sandbox/process-budget.js';

/** A pid that ran, exited and was reaped (its number free until the kernel wraps around). */
function deadPid(): number {
  return Number(execFileSync('sh', ['-c', 'true & echo $!; wait'], { encoding: 'utf8' }).trim());
}

const pidsDir = process.getuid?.() === 0 ? ownCgroupDir('pids') : undefined;

/**
 * A server killed with SIGKILL never runs its exit hook: its `autodev-sandboxes-<pid>` cgroup folder
 * (and the empty per-run folders in it) stayed behind, a thousand on a host killed a thousand times.
 */
describe.skipIf(pidsDir === undefined)(
  'budget cgroups of dead servers are swept (skipped: needs root and a pids cgroup)',
  () => {
    const live = spawn('sleep', ['600']);
    const planted: string[] = [];
    afterAll(() => {
      live.kill('SIGKILL');
      for (const dir of planted.reverse()) if (existsSync(dir)) rmdirSync(dir);
    });

    it("the next server's first sandbox run removes a dead server's folders and keeps a live one's", () => {
      const own = pidsDir ?? '';
      const dead = join(own, `autodev-sandboxes-${deadPid()}`);
      const alive = join(own, `autodev-sandboxes-${live.pid ?? 0}`);
      for (const dir of [dead, join(dead, 'run-7'), alive, join(alive, 'run-1')]) {
        mkdirSync(dir);
        planted.push(dir);
      }
      // A fresh process: the budget root is made (and the sweep done) once per process.
      const out = execFileSync(
        process.execPath,
        [
          '--import',
          'tsx',
          '-e',
          "import('./src/sandbox/process-budget.ts').then((m) => console.log(m.cgroupProcessBudget() ? 'budget' : 'none'))",
        ],
        { cwd: join(import.meta.dirname, '..', '..'), encoding: 'utf8' },
      );
      expect(out.trim()).toBe('budget');
      expect(existsSync(dead)).toBe(false);
      expect(existsSync(join(alive, 'run-1'))).toBe(true);
    });
  },
);
