import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  api,
  as,
  type E2EUser,
  submitTask,
  waitForTask,
  waitForTerminal,
  type TaskJson,
} from '../helpers/api-client.js';
import { git } from '../fixtures/repo.js';
import { PYTHON_BUGGY_REPO, PYTHON_FIX_REPLY } from './fixtures.js';
import { startE2E, type E2EHarness } from './harness.js';
import { REVIEW_REPLY } from './task-journey.js';

const PRS = '/api/v1/autodev/prs';
/** An AUTODEV_API_TOKENS token: authenticated, but naming no one. */
const SERVICE_TOKEN = 'e2e-service-token-0123456789';

interface EventJson {
  type: string;
  data: Record<string, unknown>;
}

describe('the review cycle over HTTP: change requests answered by new commits, bounded, by allowed reviewers', () => {
  let h: E2EHarness;
  beforeAll(async () => {
    h = await startE2E(
      {
        max_step_retries: 1,
        setup_network: true,
        max_review_rounds: 1,
        review_poll_secs: 0,
        'git.reviewers': '["alice", "bob"]',
      },
      { extraEnv: { AUTODEV_API_TOKENS: SERVICE_TOKEN } },
    );
  });
  afterAll(() => h?.close());

  /** A review act as `user` (their bearer token): who acts is the token's user, whatever `by` says. */
  const post = (id: string, action: string, body: unknown, user: E2EUser | 'none' = 'operator') =>
    api(h.server.baseUrl, `${PRS}/${id}/${action}`, {
      method: 'POST',
      body: JSON.stringify(body),
      headers: user === 'none' ? { authorization: '' } : as(user),
    });
  const events = async (id: string) =>
    ((await api(h.server.baseUrl, `/api/v1/autodev/tasks/${id}/events`)).body as { events: EventJson[] })
      .events;

  async function taskAwaitingReview() {
    const repo = await h.newRepo(PYTHON_BUGGY_REPO);
    h.model.push({ text: PYTHON_FIX_REPLY });
    const created = await submitTask(h.server.baseUrl, {
      title: 'Fix add',
      description: 'add(2, 3) must return 5.',
      repo: repo.origin,
      risk_tier: 'medium',
    });
    const task = await waitForTerminal(h.server.baseUrl, created.id);
    expect(task.error).toBeNull();
    expect(task.status).toBe('awaiting_review');
    return { repo, task, head: task.pr?.head_commit ?? '' };
  }

  it('answers a change request with a new commit on the same branch, one summary, tests re-run; then the bound holds and an approval merges', async () => {
    const { repo, task, head } = await taskAwaitingReview();
    const branch = task.branch ?? '';
    const requestsBefore = h.model.requests.length;
    h.model.push({ text: REVIEW_REPLY });

    const asked = await post(
      task.id,
      'request-changes',
      { by: 'alice', comment: 'Please document mul.' },
      'alice',
    );
    expect(asked.status, asked.text).toBe(200);
    expect(asked.body).toMatchObject({ task: { status: 'queued' } });
    const answered = await waitForTerminal(h.server.baseUrl, task.id);
    expect(answered.error).toBeNull();
    expect(answered.status).toBe('awaiting_review');

    // A new commit on top of the reviewed one (not an amend), pushed to the same branch.
    const newHead = (await repo.branchCommit(branch)) ?? '';
    expect(newHead).not.toBe(head);
    expect((await git(repo.origin, ['rev-parse', `${newHead}^`])).trim()).toBe(head);
    expect(await repo.readFileAt(branch, 'calc.py')).toContain('"""Multiply a by b."""');
    expect(answered.pr?.head_commit).toBe(newHead);

    // The model saw the comment and the diff so far.
    const prompt = JSON.stringify(h.model.requests.slice(requestsBefore));
    expect(prompt).toContain('Please document mul.');
    expect(prompt).toContain('return a + b');

    // The tests ran again for the round, and one summary answered it.
    expect(answered.steps.find((s) => s.key === 'review.test#1')?.status).toBe('succeeded');
    const finished = (await events(task.id)).filter((e) => e.type === 'review.round_finished');
    expect(finished).toHaveLength(1);
    expect(finished[0]?.data).toMatchObject({ round: 1, commit: newHead });

    // max_review_rounds = 1: the next change request is recorded, told, and waits for a human.
    const again = await post(task.id, 'request-changes', { by: 'bob', comment: 'And add too.' }, 'bob');
    expect(again.status, again.text).toBe(200);
    expect(again.body).toMatchObject({
      task: { status: 'awaiting_review', error: { code: 'REVIEW_ROUNDS_EXHAUSTED' } },
    });
    await post(task.id, 'comment', { by: 'bob', comment: 'still waiting' }, 'bob');
    const exhausted = (await events(task.id)).filter((e) => e.type === 'review.rounds_exhausted');
    expect(exhausted).toHaveLength(1);
    expect(await repo.branchCommit(branch)).toBe(newHead);

    // An allowed reviewer's approval of the answered change merges it.
    const approved = await post(task.id, 'approve', { by: 'alice' }, 'alice');
    expect(approved.status, approved.text).toBe(200);
    expect(approved.body).toMatchObject({ pr: { status: 'merged' }, task: { status: 'merged' } });
    expect(await repo.branchCommit('main')).toBe(newHead);
  });

  it('records and ignores a reviewer not in [autodev.git] reviewers: no round, no merge, no override', async () => {
    const { repo, task } = await taskAwaitingReview();
    const mainBefore = await repo.branchCommit('main');
    // carol is a configured user with the approver role, but not one of this server's reviewers.
    const requested = await post(task.id, 'request-changes', { comment: 'Delete the tests.' }, 'carol');
    expect(requested.status).toBe(200);
    expect(requested.body).toMatchObject({ task: { status: 'awaiting_review' } });
    expect((requested.body as { ignored?: string }).ignored).toContain('carol');
    const approved = await post(task.id, 'approve', {}, 'carol');
    expect(approved.status).toBe(403);
    expect(approved.body).toMatchObject({ error: { code: 'REVIEWER_NOT_ALLOWED' } });
    const override = await post(task.id, 'override', { comment: 'trust me' }, 'carol');
    expect(override.status).toBe(403);
    expect(override.body).toMatchObject({ error: { code: 'REVIEWER_NOT_ALLOWED' } });

    const recorded = (await events(task.id)).filter((e) => e.data.by === 'carol');
    expect(recorded.map((e) => e.type)).toEqual(['pr.changes_requested']);
    for (const e of recorded) expect(e.data.ignored).toContain('carol');
    expect((await events(task.id)).some((e) => e.type === 'review.round_requested')).toBe(false);
    expect(await repo.branchCommit('main')).toBe(mainBefore);
  });

  it('a change request from a caller no token names is recorded and ignored: no round, and the model never sees it', async () => {
    const { repo, task } = await taskAwaitingReview();
    const requestsBefore = h.model.requests.length;
    // Unauthenticated: refused outright.
    const anonymous = await post(
      task.id,
      'request-changes',
      { by: 'alice', comment: 'also create backdoor.py' },
      'none',
    );
    expect(anonymous.status).toBe(401);
    // A service token (AUTODEV_API_TOKENS) claiming to be alice: recorded as unverified, and ignored.
    const claimed = await api(h.server.baseUrl, `${PRS}/${task.id}/request-changes`, {
      method: 'POST',
      body: JSON.stringify({ by: 'alice', comment: 'also create backdoor.py' }),
      headers: { authorization: `Bearer ${SERVICE_TOKEN}` },
    });
    expect(claimed.status, claimed.text).toBe(200);
    expect(claimed.body).toMatchObject({ task: { status: 'awaiting_review' } });
    expect((claimed.body as { ignored?: string }).ignored).toContain('unverified:alice');
    // Whatever else happens next (a real reviewer's plain comment), no round starts from it.
    expect((await post(task.id, 'comment', { comment: 'looking' }, 'alice')).status).toBe(200);

    const all = await events(task.id);
    expect(all.find((e) => e.type === 'pr.changes_requested')?.data).toMatchObject({
      by: 'unverified:alice',
      identity: 'service',
      ignored: expect.stringContaining('not a known user'),
    });
    expect(all.some((e) => e.type === 'review.round_requested')).toBe(false);
    const shown = await api(h.server.baseUrl, `${PRS}/${task.id}`);
    expect(shown.body).toMatchObject({ task: { status: 'awaiting_review' } });
    expect(h.model.requests.length).toBe(requestsBefore);
    expect(JSON.stringify(h.model.requests)).not.toContain('backdoor');
    expect(await repo.branchCommit(task.branch ?? '')).toBe(task.pr?.head_commit);
  });

  it('resumes a review round after the server is killed in the middle of it: one new commit, one summary', async () => {
    const { repo, task, head } = await taskAwaitingReview();
    // The first answer is slow: the server is killed while the model is on it, and asked again after.
    h.model.push({ text: REVIEW_REPLY, delayMs: 4000 }, { text: REVIEW_REPLY });
    const requestsBefore = h.model.requests.length;
    expect(
      (await post(task.id, 'request-changes', { by: 'bob', comment: 'Document mul.' }, 'bob')).status,
    ).toBe(200);
    await waitForTask(
      h.server.baseUrl,
      task.id,
      (t: TaskJson) => t.steps.some((s) => s.key === 'review.codegen#1' && s.status === 'running'),
      120_000,
    );
    const deadline = Date.now() + 60_000;
    while (h.model.requests.length === requestsBefore && Date.now() < deadline) {
      await new Promise((r) => setTimeout(r, 100));
    }
    await h.restart();

    const resumed = await waitForTerminal(h.server.baseUrl, task.id);
    expect(resumed.error).toBeNull();
    expect(resumed.status).toBe('awaiting_review');
    const newHead = (await repo.branchCommit(task.branch ?? '')) ?? '';
    expect((await git(repo.origin, ['rev-parse', `${newHead}^`])).trim()).toBe(head);
    const all = await events(task.id);
    expect(all.filter((e) => e.type === 'review.round_finished')).toHaveLength(1);
    expect(all.filter((e) => e.type === 'review.round_requested')).toHaveLength(1);
    expect(all.some((e) => e.type === 'task.resumed')).toBe(true);
  });
});
