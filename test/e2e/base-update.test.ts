import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { FixtureRepo } from '../fixtures/repo.js';
import {
  api,
  as,
  submitTask,
  waitForTask,
  waitForTerminal,
  type E2EUser,
  type TaskJson,
} from '../helpers/api-client.js';
import { PYTHON_BUGGY_REPO, PYTHON_FIX_REPLY } from './fixtures.js';
import { startE2E, type E2EHarness } from './harness.js';

const PRS = '/api/v1/autodev/prs';

interface EventJson {
  type: string;
  data: Record<string, unknown>;
}

describe('a pull request waiting for review whose base moved', () => {
  let h: E2EHarness;
  beforeAll(async () => {
    // Approvals are made by named users (their tokens), never by a name in the body.
    h = await startE2E({ max_step_retries: 1 }, { auth: true });
  });
  afterAll(() => h?.close());

  const approve = (id: string, user: E2EUser) =>
    api(h.server.baseUrl, `${PRS}/${id}/approve`, {
      method: 'POST',
      body: JSON.stringify({}),
      headers: as(user),
    });
  const events = async (id: string) =>
    ((await api(h.server.baseUrl, `/api/v1/autodev/tasks/${id}/events`)).body as { events: EventJson[] })
      .events;
  const settledAfterUpdate = (id: string) =>
    waitForTask(
      h.server.baseUrl,
      id,
      (t) =>
        t.status === 'merged' ||
        t.status === 'failed' ||
        (t.status === 'awaiting_review' && t.error !== null),
    );

  async function waitingTask(repo: FixtureRepo, title: string): Promise<TaskJson> {
    h.model.push({ text: PYTHON_FIX_REPLY });
    const created = await submitTask(h.server.baseUrl, {
      title,
      description: 'add(2, 3) must return 5.',
      repo: repo.origin,
      risk_tier: 'medium',
    });
    const task = await waitForTerminal(h.server.baseUrl, created.id);
    expect(task.error).toBeNull();
    expect(task.status).toBe('awaiting_review');
    return task;
  }

  it('on approval is brought up to date (rebase, tests, checks, policy) and merged, every step in the events', async () => {
    const repo = await h.newRepo(PYTHON_BUGGY_REPO);
    const task = await waitingTask(repo, 'Fix add, approved after the base moved');
    await repo.commit('main', { 'NOTES.md': 'Written by a human meanwhile.\n' }, 'Human change on main');

    const approved = await approve(task.id, 'alice');
    expect(approved.status, approved.text).toBe(200);
    const done = await settledAfterUpdate(task.id);
    expect(done.error).toBeNull();
    expect(done.status).toBe('merged');

    // main has both: the human's file and the fix, replayed onto it.
    expect(await repo.readFileAt('main', 'NOTES.md')).toBe('Written by a human meanwhile.\n');
    expect(await repo.readFileAt('main', 'calc.py')).toContain('return a + b');
    const trail = await events(task.id);
    const types = trail.map((e) => e.type);
    for (const type of ['pr.approved', 'pr.update_requested', 'pr.rebased', 'pr.base_updated', 'pr.merged']) {
      expect(types).toContain(type);
    }
    expect(types.indexOf('pr.update_requested')).toBeLessThan(types.indexOf('pr.base_updated'));
    expect(trail.find((e) => e.type === 'pr.update_requested')?.data.reason).toMatch(
      /base branch main moved/,
    );
    expect(trail.find((e) => e.type === 'pr.merged')?.data).toMatchObject({ approvers: ['alice'] });
    // The update ran the tests and the policy again, as steps of its own.
    const keys = done.steps.map((s) => s.key);
    expect(keys).toEqual(expect.arrayContaining(['update.git_rebase#1', 'update.test#1', 'update.policy#1']));
  });

  it('that conflicts waits for a human with PR_UPDATE_FAILED naming the file, and is not retried on the same base', async () => {
    const repo = await h.newRepo(PYTHON_BUGGY_REPO);
    const task = await waitingTask(repo, 'Fix add, conflicting with main');
    const mainBefore = await repo.commit('main', {
      'calc.py': PYTHON_BUGGY_REPO['calc.py'].replace('return a - b', 'return b - a'),
    });

    expect((await approve(task.id, 'alice')).status).toBe(200);
    const done = await settledAfterUpdate(task.id);
    expect(done.status).toBe('awaiting_review');
    expect(done.error?.code).toBe('PR_UPDATE_FAILED');
    expect(done.error?.message).toContain('calc.py');
    const trail = await events(task.id);
    expect(trail.map((e) => e.type)).toEqual(
      expect.arrayContaining(['pr.rebase_conflict', 'pr.update_failed']),
    );
    expect(await repo.branchCommit('main')).toBe(mainBefore);

    // Another approval on the same base does not loop into the same failed update.
    const again = await approve(task.id, 'bob');
    expect(again.status, again.text).toBe(200);
    expect(again.body).toMatchObject({ task: { status: 'awaiting_review' } });
    expect((await events(task.id)).filter((e) => e.type === 'pr.update_requested')).toHaveLength(1);
  });

  it('is kept up to date when another task merges into its base (update_waiting_prs), so an approval merges at once', async () => {
    const repo = await h.newRepo(PYTHON_BUGGY_REPO);
    const waiting = await waitingTask(repo, 'Fix add, waiting while another task merges');
    const headBefore = await repo.branchCommit(waiting.branch ?? '');

    // A low-risk task adds a file and merges into main by itself.
    h.model.push({ text: NOTES_REPLY });
    const other = await submitTask(h.server.baseUrl, {
      title: 'Add notes',
      description: 'Add NOTES.md.',
      repo: repo.origin,
      risk_tier: 'low',
      acceptance: ['test_mul passes'],
    });
    const otherDone = await waitForTerminal(h.server.baseUrl, other.id);
    expect(otherDone.error).toBeNull();
    expect(otherDone.status).toBe('merged');
    const mainAfter = await repo.branchCommit('main');

    // The waiting pull request is replayed onto the new main, tested, and waits for review again.
    const updated = await waitForTask(h.server.baseUrl, waiting.id, (t) =>
      t.steps.some((s) => s.key === 'update.git_push#1' && s.status === 'succeeded'),
    );
    const back = await waitForTerminal(h.server.baseUrl, updated.id);
    expect(back.status).toBe('awaiting_review');
    expect(back.error).toBeNull();
    const trail = await events(waiting.id);
    expect(trail.find((e) => e.type === 'pr.update_requested')?.data.reason).toContain(other.id);
    expect(trail.find((e) => e.type === 'pr.base_updated')?.data).toMatchObject({ base: mainAfter });
    const head = await repo.branchCommit(waiting.branch ?? '');
    expect(head).not.toBe(headBefore);

    // The approval merges without another update: main fast-forwards to the updated head.
    const approved = await approve(waiting.id, 'alice');
    expect(approved.status, approved.text).toBe(200);
    expect(approved.body).toMatchObject({ task: { status: 'merged' }, pr: { status: 'merged' } });
    expect(await repo.branchCommit('main')).toBe(head);
    expect((await events(waiting.id)).filter((e) => e.type === 'pr.update_requested')).toHaveLength(1);
  });
});

/** A change that touches nothing the fix of add() touches: a new file. */
const NOTES_REPLY = [
  '```diff',
  '--- /dev/null',
  '+++ b/NOTES.md',
  '@@ -0,0 +1 @@',
  '+Notes.',
  '```',
  '',
].join('\n');
