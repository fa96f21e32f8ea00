import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { git, type FixtureRepo } from '../fixtures/repo.js';
import { api, submitTask, waitForTask, waitForTerminal, type TaskJson } from '../helpers/api-client.js';
import { startPostgresCluster, type PostgresCluster } from '../helpers/postgres-cluster.js';
import { PYTHON_BUGGY_REPO, PYTHON_FIX_REPLY } from './fixtures.js';
import { startE2E, type E2EHarness } from './harness.js';
import { approveMediumFix, taskEvents } from './task-journey.js';

/** Tests that take a moment, so the server (or the database) can be interrupted while they run. */
const SLOW_TESTS_REPO = {
  ...PYTHON_BUGGY_REPO,
  'test_calc.py': `import time\n\ntime.sleep(3)\n\n${PYTHON_BUGGY_REPO['test_calc.py']}`,
};

const running = (key: string) => (t: TaskJson) =>
  t.steps.some((s) => s.key === key && s.status === 'running');

async function autodevBranches(repo: FixtureRepo): Promise<string[]> {
  const out = await git(repo.origin, ['for-each-ref', '--format=%(refname:short)', 'refs/heads/autodev/']);
  return out.split('\n').filter((l) => l.length > 0);
}

/** One branch, one pull request opened and merged once, and main carrying the fix. */
async function expectMergedOnce(h: E2EHarness, repo: FixtureRepo, task: TaskJson): Promise<void> {
  expect(task.error).toBeNull();
  expect(task.status).toBe('merged');
  expect(task.pr).toMatchObject({ status: 'merged' });
  expect(await autodevBranches(repo)).toEqual([task.branch]);
  expect(await repo.readFileAt('main', 'calc.py')).toContain('return a + b');
  const types = (await taskEvents(h.server.baseUrl, task.id)).map((e) => e.type);
  expect(types.filter((t) => t === 'pr.opened')).toHaveLength(1);
  expect(types.filter((t) => t === 'pr.merged')).toHaveLength(1);
}

describe('journeys on the PostgreSQL store ([autodev.store] url), through the API', () => {
  let cluster: PostgresCluster;
  let h: E2EHarness;
  beforeAll(async () => {
    cluster = await startPostgresCluster();
    h = await startE2E(
      { max_step_retries: 1, setup_network: true },
      { storeUrl: await cluster.createDatabase() },
    );
  });
  afterAll(async () => {
    await h?.close();
    await cluster?.destroy();
  });

  it('low risk: fixed, tested and merged', async () => {
    const repo = await h.newRepo(PYTHON_BUGGY_REPO);
    h.model.push({ text: PYTHON_FIX_REPLY, usage: { input: 1200, output: 80 } });
    const created = await submitTask(h.server.baseUrl, {
      title: 'Fix add() in calc',
      description: 'add(2, 3) returns -1; it must return 5.',
      repo: repo.origin,
      risk_tier: 'low',
    });
    expect(created.status).toBe('queued');
    const task = await waitForTerminal(h.server.baseUrl, created.id);
    await expectMergedOnce(h, repo, task);
    expect(task.branch).toMatch(new RegExp(`^autodev/${created.id}-fix-add-in-calc$`));
    expect(task.cost.input_tokens).toBe(1200);
    const tools = task.steps.map((s) => s.tool);
    for (const tool of ['setup', 'codegen', 'test', 'git_push', 'pr_merge']) expect(tools).toContain(tool);
    const listed = await api(h.server.baseUrl, '/api/v1/autodev/tasks?status=merged');
    expect((listed.body as { tasks: { id: string }[] }).tasks.map((t) => t.id)).toContain(created.id);
    const logs = await api(h.server.baseUrl, `/api/v1/autodev/tasks/${created.id}/logs`);
    expect(logs.status).toBe(200);
    // The server runs on PostgreSQL (not SQLite), and its health route never shows the password.
    const health = await api(h.server.baseUrl, '/api/v1/autodev/health');
    expect(health.text).not.toContain(cluster.password);
    const store = (
      health.body as { checks: { name: string; status: string; message: string }[] }
    ).checks.find((c) => c.name === 'store');
    expect(store).toMatchObject({ status: 'ok' });
    expect(store?.message).toMatch(
      new RegExp(`^PostgreSQL at postgres://autodev:\\[?REDACTED\\]?@127\\.0\\.0\\.1:${cluster.port}/`),
    );
    expect(h.server.output()).not.toContain(cluster.password);
  });

  it('medium risk: awaiting review, approved, then merged', async () => {
    const { repo, taskId, mainBefore, approved } = await approveMediumFix(h);
    expect(approved.body).toMatchObject({
      approvals: 1,
      pr: { status: 'merged' },
      task: { status: 'merged' },
    });
    expect(await repo.branchCommit('main')).not.toBe(mainBefore);
    const task = await waitForTerminal(h.server.baseUrl, taskId);
    await expectMergedOnce(h, repo, task);
    const events = await taskEvents(h.server.baseUrl, taskId);
    expect(events.find((e) => e.type === 'pr.merged')?.data).toMatchObject({ approvers: ['alice'] });
  });

  it('PostgreSQL restarted while the tests run: the task completes, once', async () => {
    const repo = await h.newRepo(SLOW_TESTS_REPO);
    h.model.push({ text: PYTHON_FIX_REPLY });
    const before = h.model.requests.length;
    const created = await submitTask(h.server.baseUrl, {
      title: 'Fix add across a database restart',
      description: 'add must add',
      repo: repo.origin,
      risk_tier: 'low',
    });
    await waitForTask(h.server.baseUrl, created.id, running('verify.test#1'));
    await cluster.restart();
    const task = await waitForTerminal(h.server.baseUrl, created.id, 240_000);
    await expectMergedOnce(h, repo, task);
    expect(h.model.requests.length - before).toBe(1);
    // The server saw its connections go (logged, without the password), and went on.
    expect(h.server.output()).toMatch(/PostgreSQL at 127\.0\.0\.1:\d+ (dropped|is unreachable)/);
    expect(h.server.output()).not.toContain(cluster.password);
  });

  it('the server killed (SIGKILL) while tasks run: restarted, it lists them all, and each ends merged once', async () => {
    const repos: FixtureRepo[] = [];
    const ids: string[] = [];
    for (let i = 0; i < 3; i += 1) {
      const repo = await h.newRepo(SLOW_TESTS_REPO);
      repos.push(repo);
      h.model.push({ text: PYTHON_FIX_REPLY });
      const created = await submitTask(h.server.baseUrl, {
        title: `Fix add ${i} across a kill`,
        description: 'add must add',
        repo: repo.origin,
        risk_tier: 'low',
      });
      ids.push(created.id);
    }
    // Replies for the calls a kill may cut short (paid again after the restart).
    for (let i = 0; i < 3; i += 1) h.model.push({ text: PYTHON_FIX_REPLY });
    const [first] = ids;
    if (first === undefined) throw new Error('no task');
    await waitForTask(h.server.baseUrl, first, running('verify.test#1'));
    await h.restart();

    const listed = await api(h.server.baseUrl, '/api/v1/autodev/tasks?limit=100');
    const byId = new Map((listed.body as { tasks: TaskJson[] }).tasks.map((t) => [t.id, t]));
    for (const id of ids) expect(byId.has(id)).toBe(true);
    for (const [i, id] of ids.entries()) {
      const task = await waitForTerminal(h.server.baseUrl, id, 240_000);
      const repo = repos[i];
      if (!repo) throw new Error('no repo');
      await expectMergedOnce(h, repo, task);
    }
    const after = await api(h.server.baseUrl, '/api/v1/autodev/tasks?status=merged&limit=100');
    const merged = (after.body as { tasks: { id: string }[] }).tasks.map((t) => t.id);
    for (const id of ids) expect(merged).toContain(id);
  });
});
