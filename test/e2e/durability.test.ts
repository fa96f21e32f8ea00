import { execFileSync } from 'node:child_process';
import { existsSync, readdirSync, readFileSync, readlinkSync, realpathSync } from 'node:fs';
import { chmod, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { git, type FixtureRepo } from '../fixtures/repo.js';
import { api, submitTask, waitForTask, waitForTerminal, type TaskJson } from '../helpers/api-client.js';
import { PYTHON_BUGGY_REPO, PYTHON_FIX_REPLY } from './fixtures.js';
import {
  gatedOrigin,
  gateWaiting,
  pythonGate,
  shellGate,
  startGateKeeper,
  WORKSPACE_GATES,
  type GateKeeper,
} from './gates.js';
import { startE2E, type E2EHarness } from './harness.js';

/**
 * Spots to kill and cancel in, each a gate the test holds shut (see gates.ts): setup, the test run
 * (the baseline's and verify's alike, told apart by the step running), and the origin's
 * pre-receive hook (the branch's push and the merge's).
 */
const GATED_REPO = {
  ...PYTHON_BUGGY_REPO,
  '.gitignore': `${WORKSPACE_GATES}/\n`,
  '.autodev.toml': `[commands]\nsetup = '${shellGate(WORKSPACE_GATES, 'setup')}'\n`,
  'test_calc.py': `${pythonGate('test')}\n${PYTHON_BUGGY_REPO['test_calc.py']}`,
};

/**
 * A keeper for one task: it opens the task's gates, and the origin's, except `gate` while the task's
 * step `step` runs, until openAll(). Call watchTask once the task exists.
 */
const keepers: GateKeeper[] = [];
// A test that failed while holding a gate must not leave a push or a setup waiting behind it.
afterEach(async () => {
  await Promise.all(keepers.splice(0).map((k) => k.stop()));
});

function keeperFor(
  h: () => E2EHarness,
  held?: { gate: string; step: string },
): GateKeeper & { watchTask(id: string): void } {
  let taskId: string | undefined;
  const keeper = startGateKeeper(async (name) => {
    if (!held || name !== held.gate || taskId === undefined) return false;
    const { body } = await api(h().server.baseUrl, `/api/v1/autodev/tasks/${taskId}`);
    return running(held.step)(body as TaskJson);
  });
  keepers.push(keeper);
  return Object.assign(keeper, {
    watchTask(id: string) {
      taskId = id;
      keeper.watch(join(h().dataDir, 'workspaces', id, WORKSPACE_GATES));
    },
  });
}

/**
 * The origin's next push to the task branch and to main each find the ref already at the pushed
 * commit: "someone else" (the orphaned push of a killed server) lands the same commit between
 * autodev's look at the remote and its own update of the ref, which git then refuses.
 */
async function raceOrigin(repo: FixtureRepo): Promise<void> {
  const hook = join(repo.origin, 'hooks', 'update');
  await writeFile(
    hook,
    [
      '#!/bin/sh',
      'case "$1" in refs/heads/autodev/*) m=race-branch ;; refs/heads/main) m=race-main ;; *) exit 0 ;; esac',
      'if [ -e "$GIT_DIR/$m" ]; then rm "$GIT_DIR/$m"; git update-ref "$1" "$3"; fi',
      '',
    ].join('\n'),
  );
  await chmod(hook, 0o755);
  await writeFile(join(repo.origin, 'race-branch'), '');
  await writeFile(join(repo.origin, 'race-main'), '');
}

/** Moves main to `commit` as a merge that reached the origin would (the killed server's, or a human's). */
async function landOnMain(repo: FixtureRepo, commit: string): Promise<void> {
  for (let i = 0; i < 50 && (await repo.branchCommit('main')) !== commit; i += 1) {
    // May meet the orphaned push holding main's lock: then look again.
    await git(repo.origin, ['update-ref', 'refs/heads/main', commit]).catch(() => undefined);
    await new Promise((r) => setTimeout(r, 100));
  }
  expect(await repo.branchCommit('main')).toBe(commit);
}

async function autodevBranches(repo: FixtureRepo): Promise<string[]> {
  const out = await git(repo.origin, ['for-each-ref', '--format=%(refname:short)', 'refs/heads/autodev/']);
  return out.split('\n').filter((l) => l.length > 0);
}

async function eventTypes(baseUrl: string, id: string): Promise<string[]> {
  const { body } = await api(baseUrl, `/api/v1/autodev/tasks/${id}/events`);
  return (body as { events: { type: string }[] }).events.map((e) => e.type);
}

function processesMatching(marker: string): string[] {
  return execFileSync('ps', ['-eo', 'args'])
    .toString()
    .split('\n')
    .filter((l) => l.includes(marker) && !l.startsWith('ps '));
}

/** Waits for `ready` (polled), failing after `ms` with what it waited for. */
async function waitFor(ready: () => boolean, ms = 30_000, what = 'a condition'): Promise<void> {
  const deadline = Date.now() + ms;
  while (!ready()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}
async function waitForNone(list: () => string[]): Promise<void> {
  await waitFor(() => list().length === 0, 5_000, 'no process left').catch(() => undefined);
  expect(list()).toEqual([]);
}

/** Processes working in `dir` (a remote's receive-pack and the hooks it runs): pid and command line. */
function processesIn(dir: string): string[] {
  const target = realpathSync(dir);
  const found: string[] = [];
  for (const pid of readdirSync('/proc').filter((p) => /^\d+$/.test(p))) {
    try {
      if (readlinkSync(`/proc/${pid}/cwd`) !== target) continue;
      found.push(`${pid} ${readFileSync(`/proc/${pid}/cmdline`, 'utf8').replaceAll('\0', ' ')}`);
    } catch {
      // Gone meanwhile, or not ours to read.
    }
  }
  return found;
}

const running = (key: string) => (t: TaskJson) =>
  t.steps.some((s) => s.key === key && s.status === 'running');

describe('durability: SIGKILL in each phase, restart, and every task ends once', () => {
  let h: E2EHarness;
  beforeAll(async () => {
    h = await startE2E({ max_step_retries: 1 });
  });
  afterAll(() => h?.close());

  let requestsBefore = 0;
  const killPoints: {
    phase: string;
    at: (t: TaskJson) => boolean;
    modelCalls: number;
    /** The gate held shut while the step runs, so that the kill finds it running. */
    held?: { gate: string; step: string };
  }[] = [
    { phase: 'queued (right after submission)', at: () => true, modelCalls: 1 },
    {
      phase: 'setup',
      at: running('setup.setup#1'),
      modelCalls: 1,
      held: { gate: 'setup', step: 'setup.setup#1' },
    },
    {
      phase: 'codegen (model call in flight)',
      // Killed once the model has the request (the step runs a moment before the call goes out).
      at: (t) => running('implement.codegen#1')(t) && h.model.requests.length > requestsBefore,
      modelCalls: 2,
    },
    {
      phase: 'verify (tests running)',
      at: running('verify.test#1'),
      modelCalls: 1,
      // The baseline's run of the same tests passes its gate: only verify's is held.
      held: { gate: 'test', step: 'verify.test#1' },
    },
    {
      phase: 'deliver (push in flight)',
      at: running('deliver.git_push#1'),
      modelCalls: 1,
      held: { gate: 'push', step: 'deliver.git_push#1' },
    },
    {
      phase: 'deliver (merge in flight)',
      at: running('deliver.pr_merge#1'),
      modelCalls: 1,
      held: { gate: 'push', step: 'deliver.pr_merge#1' },
    },
  ];

  for (const point of killPoints) {
    it(`resumes a task killed in ${point.phase} and delivers exactly one branch and pull request`, async () => {
      const repo = await h.newRepo(GATED_REPO);
      const keeper = keeperFor(() => h, point.held);
      keeper.watch(await gatedOrigin(repo.origin));
      try {
        const killedMidCall = point.modelCalls === 2;
        // A killed model call is paid again after the restart; a finished one never is. The delay
        // only has to outlast the kill, which comes as soon as the model has the request.
        h.model.push({ text: PYTHON_FIX_REPLY, delayMs: killedMidCall ? 60_000 : 0 });
        if (killedMidCall) h.model.push({ text: PYTHON_FIX_REPLY });
        const before = h.model.requests.length;
        requestsBefore = before;

        const created = await submitTask(h.server.baseUrl, {
          title: `Durable fix ${point.phase}`,
          description: 'add must add',
          repo: repo.origin,
          risk_tier: 'low',
        });
        keeper.watchTask(created.id);
        await waitForTask(h.server.baseUrl, created.id, point.at, 120_000);
        await h.restart({ whileDown: async () => keeper.openAll() });

        const task = await waitForTerminal(h.server.baseUrl, created.id, 240_000);
        expect(task.error).toBeNull();
        expect(task.status).toBe('merged');
        expect(h.model.requests.length - before).toBe(point.modelCalls);
        expect(await autodevBranches(repo)).toEqual([task.branch]);
        expect(await repo.readFileAt('main', 'calc.py')).toContain('return a + b');
        const types = await eventTypes(h.server.baseUrl, created.id);
        expect(types.filter((t) => t === 'pr.opened')).toHaveLength(1);
        expect(types.filter((t) => t === 'pr.merged')).toHaveLength(1);
        if (point.phase !== 'queued (right after submission)') expect(types).toContain('task.resumed');
        // Work finished before the kill is taken from its checkpoint, not done again.
        if (point.phase.startsWith('verify') || point.phase.startsWith('deliver')) {
          expect(types).toContain('step.reused');
        }
      } finally {
        await keeper.stop();
      }
    });
  }
});

describe('delivery reconciles with the origin', () => {
  let h: E2EHarness;
  beforeAll(async () => {
    h = await startE2E({ max_step_retries: 0 });
  });
  afterAll(() => h?.close());

  async function expectDeliveredOnce(repo: FixtureRepo, task: TaskJson): Promise<void> {
    expect(task.error).toBeNull();
    expect(task.status).toBe('merged');
    expect(task.pr).toMatchObject({ status: 'merged' });
    expect(await autodevBranches(repo)).toEqual([task.branch]);
    expect(await repo.branchCommit('main')).toBe(task.pr?.head_commit);
    const types = await eventTypes(h.server.baseUrl, task.id);
    expect(types.filter((t) => t === 'pr.opened')).toHaveLength(1);
    expect(types.filter((t) => t === 'pr.merged')).toHaveLength(1);
  }

  it('the same commit pushed behind its back, between its look at the origin and its own push, of the branch and of the merge: merged once', async () => {
    const repo = await h.newRepo(PYTHON_BUGGY_REPO);
    await raceOrigin(repo);
    h.model.push({ text: PYTHON_FIX_REPLY });
    const created = await submitTask(h.server.baseUrl, {
      title: 'Raced push',
      description: 'add must add',
      repo: repo.origin,
      risk_tier: 'low',
    });
    const task = await waitForTerminal(h.server.baseUrl, created.id, 120_000);
    await expectDeliveredOnce(repo, task);
    // Both races happened: the hook consumed its markers.
    expect(existsSync(join(repo.origin, 'race-branch'))).toBe(false);
    expect(existsSync(join(repo.origin, 'race-main'))).toBe(false);
    expect(task.steps.find((s) => s.key === 'deliver.git_push#1')).toMatchObject({
      status: 'succeeded',
      attempts: 1,
    });
  });

  it.each([
    ['at the head', false],
    ['past the head (merged, then built on)', true],
  ] as const)(
    'killed during the merge, the base branch already %s when it resumes: merged, recorded once',
    async (_name, builtOn) => {
      const repo = await h.newRepo(PYTHON_BUGGY_REPO);
      // The merge's push is held in the origin's hook until the world has moved on without it.
      const keeper = keeperFor(() => h, { gate: 'push', step: 'deliver.pr_merge#1' });
      keeper.watch(await gatedOrigin(repo.origin));
      h.model.push({ text: PYTHON_FIX_REPLY });
      const created = await submitTask(h.server.baseUrl, {
        title: 'Merged while down',
        description: 'add must add',
        repo: repo.origin,
        risk_tier: 'low',
      });
      keeper.watchTask(created.id);
      const killed = await waitForTask(h.server.baseUrl, created.id, running('deliver.pr_merge#1'), 120_000);
      const head = killed.pr?.head_commit ?? '';
      let tip = head;
      await h.restart({
        whileDown: async () => {
          await landOnMain(repo, head);
          // The killed server's push, still held in the hook, goes on now and finds main moved; the
          // gate opens before the commit below, whose own push passes the same hook.
          keeper.openAll();
          if (builtOn) tip = await repo.commit('main', { 'NEWS.md': 'later work\n' });
        },
      });
      await keeper.stop();

      const task = await waitForTerminal(h.server.baseUrl, created.id, 120_000);
      expect(task.error).toBeNull();
      expect(task.status).toBe('merged');
      expect(task.pr).toMatchObject({ status: 'merged', merge_commit: head });
      expect(await autodevBranches(repo)).toEqual([task.branch]);
      expect(await repo.branchCommit('main')).toBe(tip);
      expect(await repo.readFileAt('main', 'calc.py')).toContain('return a + b');
      const types = await eventTypes(h.server.baseUrl, created.id);
      expect(types.filter((t) => t === 'pr.opened')).toHaveLength(1);
      expect(types.filter((t) => t === 'pr.merged')).toHaveLength(1);
      expect(types).toContain('task.resumed');
    },
  );
});

describe('cancel and graceful shutdown', () => {
  let h: E2EHarness;
  beforeAll(async () => {
    h = await startE2E({ max_step_retries: 0 });
  });
  afterAll(() => h?.close());

  it('cancels a task while the model holds its call (the call aborted, not waited out), and answers 409 afterwards', async () => {
    const repo = await h.newRepo(PYTHON_BUGGY_REPO);
    // The model would answer after ten minutes: only aborting the call lets the task end.
    h.model.push({ text: PYTHON_FIX_REPLY, delayMs: 600_000 });
    const asked = h.model.requests.length;
    const created = await submitTask(h.server.baseUrl, {
      title: 'Slow model',
      description: '',
      repo: repo.origin,
    });
    // The model has the request: the step having started is not enough (a cancel before the call
    // left the slow reply queued for the next test's task, which waited it out).
    await waitFor(() => h.model.requests.length > asked, 120_000, 'the model call');

    const cancel = await api(h.server.baseUrl, `/api/v1/autodev/tasks/${created.id}/cancel`, {
      method: 'POST',
    });
    expect(cancel.status).toBe(202);
    const task = await waitForTerminal(h.server.baseUrl, created.id, 60_000);
    expect(task.status).toBe('cancelled');
    expect(task.error?.code).toBe('TASK_CANCELLED');
    expect(h.model.clear()).toEqual([]);
    expect(await autodevBranches(repo)).toEqual([]);

    const again = await api(h.server.baseUrl, `/api/v1/autodev/tasks/${created.id}/cancel`, {
      method: 'POST',
    });
    expect(again.status).toBe(409);
    expect(again.body).toMatchObject({
      error: { code: 'TASK_NOT_CANCELLABLE', details: { status: 'cancelled' } },
    });
  });

  it('refuses a cancel once the merge has begun (409, naming why), and the merge completes', async () => {
    const repo = await h.newRepo(PYTHON_BUGGY_REPO);
    const keeper = keeperFor(() => h, { gate: 'push', step: 'deliver.pr_merge#1' });
    keeper.watch(await gatedOrigin(repo.origin));
    h.model.push({ text: PYTHON_FIX_REPLY });
    const created = await submitTask(h.server.baseUrl, {
      title: 'Cancel mid-merge',
      description: 'add must add',
      repo: repo.origin,
      risk_tier: 'low',
    });
    keeper.watchTask(created.id);
    await waitForTask(h.server.baseUrl, created.id, running('deliver.pr_merge#1'), 120_000);
    const cancel = await api(h.server.baseUrl, `/api/v1/autodev/tasks/${created.id}/cancel`, {
      method: 'POST',
    });
    keeper.openAll();
    expect(cancel.status).toBe(409);
    expect(cancel.body).toMatchObject({
      error: { code: 'TASK_NOT_CANCELLABLE', details: { status: 'delivering', merge_started: true } },
    });
    expect(cancel.text).toContain('merge already in progress');
    const task = await waitForTerminal(h.server.baseUrl, created.id, 60_000);
    expect(task.status).toBe('merged');
    expect(task.error).toBeNull();
    expect(await repo.readFileAt('main', 'calc.py')).toContain('return a + b');
    expect(await eventTypes(h.server.baseUrl, created.id)).not.toContain('task.cancel_requested');
  });

  it("honours a cancel while the push hangs in the origin's pre-receive hook: cancelled at once, the push and its hook killed, nothing pushed", async () => {
    const repo = await h.newRepo(PYTHON_BUGGY_REPO);
    // The hook never lets this push through: only the cancel can end it.
    const keeper = keeperFor(() => h, { gate: 'push', step: 'deliver.git_push#1' });
    const gates = await gatedOrigin(repo.origin);
    keeper.watch(gates);
    const mainBefore = await repo.branchCommit('main');
    h.model.push({ text: PYTHON_FIX_REPLY });
    const created = await submitTask(h.server.baseUrl, {
      title: 'Cancel mid-push',
      description: 'add must add',
      repo: repo.origin,
      risk_tier: 'low',
    });
    keeper.watchTask(created.id);
    await waitForTask(h.server.baseUrl, created.id, running('deliver.git_push#1'), 120_000);
    // The push has reached the hook (receive-pack is running it) before the cancel.
    await waitFor(() => gateWaiting(gates, 'push'), 60_000, 'a push waiting at the gate');
    expect(processesIn(repo.origin).length).toBeGreaterThan(0);

    const cancel = await api(h.server.baseUrl, `/api/v1/autodev/tasks/${created.id}/cancel`, {
      method: 'POST',
    });
    expect(cancel.status).toBe(202);
    // Well before the hook would ever return (it never does while held).
    const task = await waitForTerminal(h.server.baseUrl, created.id, 20_000);
    expect(task.status).toBe('cancelled');
    expect(task.error?.code).toBe('TASK_CANCELLED');
    // The push's whole process tree is gone: receive-pack and the hook it ran, not just git push.
    await waitForNone(() => processesIn(repo.origin));
    // Opening the gate now lets nothing through: no push is left waiting behind it.
    keeper.openAll();
    await keeper.stop();
    expect(await autodevBranches(repo)).toEqual([]);
    expect(await repo.branchCommit('main')).toBe(mainBefore);
  });

  it('cancels a task whose tests hang, killing their processes', async () => {
    const marker = `autodev-hang-${Date.now()}`;
    const repo = await h.newRepo({
      ...PYTHON_BUGGY_REPO,
      '.autodev.toml': `[commands]\ntest = "sleep 120 # ${marker}"\n`,
    });
    const created = await submitTask(h.server.baseUrl, {
      title: 'Hanging tests',
      description: '',
      repo: repo.origin,
    });
    await waitForTask(h.server.baseUrl, created.id, running('prepare.test#1'));
    await api(h.server.baseUrl, `/api/v1/autodev/tasks/${created.id}/cancel`, { method: 'POST' });
    const task = await waitForTerminal(h.server.baseUrl, created.id, 15_000);
    expect(task.status).toBe('cancelled');
    // Within seconds, nothing of the hanging test is left: the sandbox's whole tree is gone.
    await waitForNone(() => processesMatching(marker));
  });

  it('on SIGTERM lets the running step finish, exits, and the task resumes on the next start', async () => {
    const repo = await h.newRepo(GATED_REPO);
    const keeper = keeperFor(() => h, { gate: 'setup', step: 'setup.setup#1' });
    h.model.push({ text: PYTHON_FIX_REPLY });
    const created = await submitTask(h.server.baseUrl, {
      title: 'Drain me',
      description: '',
      repo: repo.origin,
      risk_tier: 'low',
    });
    keeper.watchTask(created.id);
    await waitForTask(h.server.baseUrl, created.id, running('setup.setup#1'));
    const draining = h.server;
    const restarted = h.restart({ graceful: true });
    // Setup is let through only once the server is draining: the step finishes during the drain.
    await waitFor(() => draining.output().includes('shutting down'));
    keeper.openAll();
    const code = await restarted;
    expect(code).toBe(0);
    const task = await waitForTerminal(h.server.baseUrl, created.id, 120_000);
    expect(task.status).toBe('merged');
    const setup = task.steps.find((s) => s.key === 'setup.setup#1');
    // The setup step finished during the drain and was not run again after the restart.
    expect(setup?.status).toBe('succeeded');
    expect(await eventTypes(h.server.baseUrl, created.id)).toContain('step.reused');
  });
});

describe('durability: a resumed task commits the exact change, not its redacted checkpoint', () => {
  let h: E2EHarness;
  beforeAll(async () => {
    h = await startE2E({ max_step_retries: 1 });
  });
  afterAll(() => h?.close());

  // Looks like an OpenAI key to the redactor: the stored checkpoint holds "[REDACTED]" in its place.
  const VALUE = ['sk', 'doc-example-prefix-value'].join('-');
  const FIX_WITH_SECRET_LOOKALIKE = [
    '```diff',
    '--- a/calc.py',
    '+++ b/calc.py',
    '@@ -1,2 +1,4 @@',
    `+KEY_PREFIX_DOC = "${VALUE}"`,
    '+',
    ' def add(a, b):',
    '-    return a - b',
    '+    return a + b',
    '```',
    '',
  ].join('\n');

  it('kills the server during verify; after the restart the same commit, with the exact value, is merged', async () => {
    const repo = await h.newRepo(GATED_REPO);
    const keeper = keeperFor(() => h, { gate: 'test', step: 'verify.test#1' });
    h.model.push({ text: FIX_WITH_SECRET_LOOKALIKE });
    const created = await submitTask(h.server.baseUrl, {
      title: 'Keep the exact change',
      description: 'add must add',
      repo: repo.origin,
      risk_tier: 'low',
    });
    keeper.watchTask(created.id);
    const killed = await waitForTask(h.server.baseUrl, created.id, running('verify.test#1'), 120_000);
    const applied = killed.steps.find((s) => s.key === 'implement.git_apply#1')?.output_summary ?? '';
    const before = /^commit ([0-9a-f]{12})/.exec(applied)?.[1];
    expect(before, applied).toBeDefined();
    await h.restart({ whileDown: async () => keeper.openAll() });

    const task = await waitForTerminal(h.server.baseUrl, created.id, 240_000);
    expect(task.error).toBeNull();
    expect(task.status).toBe('merged');
    const content = await repo.readFileAt('main', 'calc.py');
    expect(content).toContain(`KEY_PREFIX_DOC = "${VALUE}"`);
    expect(content).not.toContain('REDACTED');
    expect(await repo.branchCommit(task.branch ?? '')).toMatch(new RegExp(`^${before ?? 'none'}`));
  });
});
