import { existsSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runInProject } from '../../src/languages/run.js';
import { bareProject } from '../helpers/bare-project.js';
import { createBubblewrapSandbox } from '../../src/sandbox/bubblewrap.js';
import { failure } from '../helpers/failure.js';

/**
 * Issue #25 item 14, #27 item 7, #28 item 3: every sandbox ran as one uid under one RLIMIT_NPROC, so
 * one run holding ~1,000 processes made a concurrent run's fork fail, and that failure read as the
 * project's. Each run now has its own budget, and a run that exhausts its own says RESOURCE_LIMIT.
 */
describe.runIf(process.getuid?.() === 0)('each sandboxed run has its own process budget', () => {
  let held: string;
  let other: string;
  beforeAll(async () => {
    held = await mkdtemp(join(tmpdir(), 'autodev-budget-held-'));
    other = await mkdtemp(join(tmpdir(), 'autodev-budget-other-'));
  });
  afterAll(async () => {
    await rm(held, { recursive: true, force: true });
    await rm(other, { recursive: true, force: true });
  });

  it("a run holding 1,000 processes leaves a concurrent run's forks alone", async () => {
    const sandbox = createBubblewrapSandbox({ hostEnv: process.env });
    const stop = new AbortController();
    const holding = sandbox.run({
      argv: [
        'sh',
        '-c',
        'n=0; while [ $n -lt 1000 ]; do sleep 600 & n=$((n+1)); done; echo held > HELD; wait',
      ],
      cwd: held,
      timeoutMs: 300_000,
      signal: stop.signal,
    });
    try {
      // The holder's 1,000 processes are up (or it died trying, which the assertion below shows).
      let ended = false;
      void holding.finally(() => {
        ended = true;
      });
      while (!existsSync(join(held, 'HELD')) && !ended) await new Promise((r) => setTimeout(r, 100));
      expect(existsSync(join(held, 'HELD'))).toBe(true);
      const result = await sandbox.run({
        argv: ['sh', '-c', 'n=0; while [ $n -lt 60 ]; do sleep 1 & n=$((n+1)); done; wait; echo forked 60'],
        cwd: other,
        timeoutMs: 120_000,
      });
      expect({ exitCode: result.exitCode, stdout: result.stdout, stderr: result.stderr }).toEqual({
        exitCode: 0,
        stdout: 'forked 60\n',
        stderr: '',
      });
      expect(result.resourceLimit).toBeUndefined();
    } finally {
      stop.abort();
      await holding;
    }
  });

  it('a run that exhausts its own budget fails with RESOURCE_LIMIT naming the limit, not as a test failure', async () => {
    const sandbox = createBubblewrapSandbox({ hostEnv: process.env, limits: { processes: 30 } });
    const project = bareProject('python', 'pytest');
    const error = await failure(
      runInProject(project, ['sh', '-c', 'n=0; while [ $n -lt 60 ]; do sleep 5 & n=$((n+1)); done; wait'], {
        sandbox,
        workspaceDir: other,
        timeoutMs: 60_000,
      }),
    );
    expect(error.code).toBe('RESOURCE_LIMIT');
    expect(error.message).toMatch(/limit of 30 processes/);
  });
});
