import { execFileSync } from 'node:child_process';
import { chmod, mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { submitTask, waitForTerminal } from '../helpers/api-client.js';
import { PYTHON_BUGGY_REPO, PYTHON_FIX_REPLY } from './fixtures.js';
import { gateWaiting, shellGate, startGateKeeper, type GateKeeper } from './gates.js';
import { startE2E, type E2EHarness } from './harness.js';

const TASK = {
  title: 'Fix add() in calc',
  description: 'add must add',
  base_branch: 'main',
  risk_tier: 'low',
};

/** Polls `condition` until it holds; the deadline is a safety net, never the thing tested. */
async function until(condition: () => boolean, what: string, timeoutMs = 120_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

describe('the start-up sweep of mirrors', () => {
  let h: E2EHarness;
  let root: string;
  let gates: string;
  let keeper: GateKeeper;
  let holdSweep = true;

  beforeAll(async () => {
    // A `git` first on the server's PATH that stops the sweep's `worktree prune` at a gate while the
    // test holds it (a `hold` file), then runs the real git: the sweep stays in progress on demand.
    root = await mkdtemp(join(tmpdir(), 'autodev-sweep-gate-'));
    gates = join(root, 'gates');
    const bin = join(root, 'bin');
    await mkdir(gates, { recursive: true });
    await mkdir(bin, { recursive: true });
    const realGit = execFileSync('sh', ['-c', 'command -v git'], { encoding: 'utf8' }).trim();
    await writeFile(
      join(bin, 'git'),
      [
        '#!/bin/sh',
        'case " $* " in',
        `  *" worktree prune "*) if [ -e "${gates}/hold" ]; then ${shellGate(gates, 'sweep')}; fi ;;`,
        'esac',
        `exec '${realGit}' "$@"`,
        '',
      ].join('\n'),
    );
    await chmod(join(bin, 'git'), 0o755);
    keeper = startGateKeeper((name) => name === 'sweep' && holdSweep);
    keeper.watch(gates);
    h = await startE2E(
      { max_step_retries: 1 },
      { extraEnv: { PATH: `${bin}:${process.env.PATH ?? '/usr/bin:/bin'}` } },
    );
  });
  afterAll(async () => {
    await keeper?.stop();
    await h?.close();
    await rm(root, { recursive: true, force: true });
  });

  it('does not hold up the first task after a start: it runs to merged while the sweep is still pruning', async () => {
    // A first task leaves a mirror behind for the next start's sweep to prune.
    const first = await h.newRepo(PYTHON_BUGGY_REPO);
    h.model.push({ text: PYTHON_FIX_REPLY });
    const before = await submitTask(h.server.baseUrl, { ...TASK, repo: first.origin });
    expect((await waitForTerminal(h.server.baseUrl, before.id)).status).toBe('merged');

    await writeFile(join(gates, 'hold'), '');
    await h.restart({ graceful: true });
    await until(() => gateWaiting(gates, 'sweep'), "the sweep's prune at its gate");

    const second = await h.newRepo(PYTHON_BUGGY_REPO);
    h.model.push({ text: PYTHON_FIX_REPLY });
    const during = await submitTask(h.server.baseUrl, { ...TASK, repo: second.origin });
    const task = await waitForTerminal(h.server.baseUrl, during.id);
    expect(task.error).toBeNull();
    expect(task.status).toBe('merged');
    // The sweep never got past the gate while the task ran.
    expect(gateWaiting(gates, 'sweep')).toBe(true);
    expect(keeper.opened()).not.toContain('sweep');

    // Let go, the sweep finishes: its prune ran the real git after the gate.
    holdSweep = false;
    await until(
      () => keeper.opened().includes('sweep') && !gateWaiting(gates, 'sweep'),
      'the sweep to go on',
    );
    // Two tasks and a restart on a busy machine; a scheduler that waited for the sweep fails on
    // waitForTerminal's own deadline instead.
  }, 300_000);
});
