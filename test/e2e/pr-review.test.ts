import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { api, as, type E2EUser, submitTask, waitForTerminal } from '../helpers/api-client.js';
import { PYTHON_BUGGY_REPO, PYTHON_FIX_REPLY } from './fixtures.js';
import { startE2E, type E2EHarness } from './harness.js';
import { ADD_SUB_REPLY, GREEN_REPO } from './task-journey.js';

const PRS = '/api/v1/autodev/prs';
/** An AUTODEV_API_TOKENS token: authenticated, but naming no one. */
const SERVICE_TOKEN = 'e2e-service-token-0123456789';

describe('reviewing a pull request left awaiting_review, over HTTP', () => {
  let h: E2EHarness;
  beforeAll(async () => {
    h = await startE2E(
      { max_step_retries: 1, setup_network: true },
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

  async function taskAwaitingReview(riskTier: 'medium' | 'high') {
    const repo = await h.newRepo(PYTHON_BUGGY_REPO);
    h.model.push({ text: PYTHON_FIX_REPLY });
    const created = await submitTask(h.server.baseUrl, {
      title: `Fix add (${riskTier})`,
      description: 'add(2, 3) must return 5.',
      repo: repo.origin,
      risk_tier: riskTier,
    });
    const task = await waitForTerminal(h.server.baseUrl, created.id);
    expect(task.error).toBeNull();
    expect(task.status).toBe('awaiting_review');
    return { repo, task };
  }

  it('merges a medium-risk pull request on its approval: origin main fast-forwarded, task merged', async () => {
    const { repo, task } = await taskAwaitingReview('medium');
    const mainBefore = await repo.branchCommit('main');
    expect(await repo.branchCommit(task.branch ?? '')).not.toBe(mainBefore);

    const listed = await api(h.server.baseUrl, `${PRS}?status=open`);
    expect(listed.status).toBe(200);
    expect(listed.body).toMatchObject({
      prs: expect.arrayContaining([expect.objectContaining({ task_id: task.id })]),
    });

    expect((await post(task.id, 'merge', { by: 'alice' }, 'alice')).status).toBe(409);
    // The approval merges by itself, as an approval on a hosted forge does (through the review intake).
    const approved = await post(task.id, 'approve', { by: 'alice', comment: 'looks right' }, 'alice');
    expect(approved.status, approved.text).toBe(200);
    expect(approved.body).toMatchObject({
      approvals: 1,
      approvals_required: 1,
      pr: { status: 'merged' },
      task: { status: 'merged' },
    });
    expect(await repo.branchCommit('main')).toBe(await repo.branchCommit(task.branch ?? ''));
    // An explicit merge after it answers merged: merging is idempotent.
    const merged = await post(task.id, 'merge', { by: 'alice' }, 'alice');
    expect(merged.status, merged.text).toBe(200);
    expect(merged.body).toMatchObject({ pr: { status: 'merged' }, task: { status: 'merged' } });

    const events = await api(h.server.baseUrl, `/api/v1/autodev/tasks/${task.id}/events`);
    const list = (events.body as { events: { type: string; data: Record<string, unknown> }[] }).events;
    expect(list.map((e) => e.type)).toEqual(
      expect.arrayContaining(['pr.approved', 'pr.merged', 'task.status_changed']),
    );
    expect(list.filter((e) => e.type === 'pr.merged')).toHaveLength(1);
    expect(list.find((e) => e.type === 'pr.merged')?.data).toMatchObject({ approvers: ['alice'] });
    const metrics = await api(h.server.baseUrl, '/metrics');
    expect(metrics.text).toMatch(/^autodev_merges_total [1-9]/m);

    // A merged pull request takes no more reviews.
    expect((await post(task.id, 'approve', { by: 'bob' }, 'bob')).status).toBe(409);
  });

  it('merges a high-risk pull request only with 2 distinct approvals AND an override, both in the audit trail', async () => {
    const { repo, task } = await taskAwaitingReview('high');
    const mainBefore = await repo.branchCommit('main');
    await post(task.id, 'approve', { by: 'alice' }, 'alice');
    // The same reviewer approving again is still one approval.
    await post(task.id, 'approve', { by: 'alice' }, 'alice');
    const refused = await post(task.id, 'merge', { by: 'alice' }, 'alice');
    expect(refused.status).toBe(409);
    expect(refused.body).toMatchObject({
      error: { code: 'PR_NOT_MERGEABLE', details: { approvals: 1, approvals_required: 2 } },
    });
    expect(refused.text).toContain('needs 2 approval');

    const second = await post(task.id, 'approve', { by: 'bob' }, 'bob');
    expect(second.body).toMatchObject({ approvals: 2, task: { status: 'awaiting_review' } });
    const noOverride = await post(task.id, 'merge', { by: 'bob' }, 'bob');
    expect(noOverride.status).toBe(409);
    expect(noOverride.text).toContain('override');
    expect(await repo.branchCommit('main')).toBe(mainBefore);

    const reasonless = await post(task.id, 'override', { by: 'carol' }, 'carol');
    expect(reasonless.status).toBe(400);
    expect(reasonless.text).toContain('comment');
    const overridden = await post(
      task.id,
      'override',
      { by: 'carol', comment: 'reviewed the migration by hand' },
      'carol',
    );
    expect(overridden.status, overridden.text).toBe(200);
    expect(overridden.body).toMatchObject({ pr: { status: 'merged' }, task: { status: 'merged' } });
    expect(await repo.branchCommit('main')).toBe(await repo.branchCommit(task.branch ?? ''));

    const events = await api(h.server.baseUrl, `/api/v1/autodev/tasks/${task.id}/events`);
    const list = (events.body as { events: { type: string; data: Record<string, unknown> }[] }).events;
    expect(list.find((e) => e.type === 'pr.override')?.data).toMatchObject({
      by: 'carol',
      comment: 'reviewed the migration by hand',
    });
    expect(list.find((e) => e.type === 'pr.merged')?.data).toMatchObject({
      approvers: ['alice', 'bob'],
      override_by: 'carol',
    });
  });

  it('closes a pull request: the task ends closed and it can no longer merge', async () => {
    const { repo, task } = await taskAwaitingReview('medium');
    const mainBefore = await repo.branchCommit('main');
    // A plain comment starts no review round (a change request would): the task stays awaiting_review.
    expect((await post(task.id, 'comment', { by: 'carol', comment: 'not like this' }, 'carol')).status).toBe(
      200,
    );
    const closed = await post(task.id, 'close', { by: 'carol' }, 'carol');
    expect(closed.status).toBe(200);
    expect(closed.body).toMatchObject({ pr: { status: 'closed' }, task: { status: 'closed' } });
    const shown = await api(h.server.baseUrl, `${PRS}/${task.id}`);
    expect(shown.body).toMatchObject({
      reviews: [{ kind: 'comment', by: 'carol', comment: 'not like this' }],
    });
    expect((await post(task.id, 'approve', {}, 'alice')).status).toBe(409);
    expect((await post(task.id, 'merge', {})).status).toBe(409);
    expect(await repo.branchCommit('main')).toBe(mainBefore);
  });

  it("counts approvals by the token's user, never by the body: one caller approving as two names is one approval", async () => {
    const { repo, task } = await taskAwaitingReview('high');
    const mainBefore = await repo.branchCommit('main');
    const first = await post(task.id, 'approve', { by: 'alice' }, 'alice');
    const second = await post(task.id, 'approve', { by: 'bob' }, 'alice');
    expect(second.status, second.text).toBe(200);
    expect(first.body).toMatchObject({ approvals: 1 });
    expect(second.body).toMatchObject({ approvals: 1, approvals_required: 2 });
    expect((second.body as { reviews: { by: string }[] }).reviews.map((r) => r.by)).toEqual([
      'alice',
      'alice',
    ]);
    // The override is not enough either: the second approver is missing.
    await post(task.id, 'override', { by: 'carol', comment: 'fine by me' }, 'alice');
    expect((await post(task.id, 'merge', {})).status).toBe(409);
    expect(await repo.branchCommit('main')).toBe(mainBefore);
  });

  it('refuses approve and override without a user identity (401 with no token, 403 for a service token or without the role)', async () => {
    const { repo, task } = await taskAwaitingReview('medium');
    const mainBefore = await repo.branchCommit('main');
    const noToken = await post(task.id, 'approve', { by: 'alice' }, 'none');
    expect(noToken.status).toBe(401);
    expect(noToken.body).toMatchObject({ error: { code: 'UNAUTHORIZED' } });
    const service = await api(h.server.baseUrl, `${PRS}/${task.id}/approve`, {
      method: 'POST',
      body: JSON.stringify({ by: 'alice' }),
      headers: { authorization: `Bearer ${SERVICE_TOKEN}` },
    });
    expect(service.status).toBe(403);
    expect(service.body).toMatchObject({ error: { code: 'IDENTITY_REQUIRED' } });
    expect(service.text).toContain('AUTODEV_API_TOKENS');
    const reviewerOnly = await post(task.id, 'approve', { by: 'alice' }, 'rita');
    expect(reviewerOnly.status).toBe(403);
    expect(reviewerOnly.body).toMatchObject({ error: { code: 'REVIEWER_NOT_ALLOWED' } });
    expect(reviewerOnly.text).toContain('approver');
    const override = await post(task.id, 'override', { by: 'carol', comment: 'x' }, 'rita');
    expect(override.status).toBe(403);

    // The service token may still do what needs no identity: read, and ask for a merge the rules refuse.
    const merge = await api(h.server.baseUrl, `${PRS}/${task.id}/merge`, {
      method: 'POST',
      body: '{}',
      headers: { authorization: `Bearer ${SERVICE_TOKEN}` },
    });
    expect(merge.status).toBe(409);
    const shown = await api(h.server.baseUrl, `${PRS}/${task.id}`);
    expect(shown.body).toMatchObject({ approvals: 0, reviews: [], task: { status: 'awaiting_review' } });
    expect(await repo.branchCommit('main')).toBe(mainBefore);
  });

  it('counts a revert when it merges, not when requested, and a delivered task once however it ends', async () => {
    const metric = async (name: string) => {
      const text = (await api(h.server.baseUrl, '/metrics')).text;
      return Number(new RegExp(`^${name} (\\d+)$`, 'm').exec(text)?.[1] ?? NaN);
    };
    // A change whose revert still passes the tests (the fix of taskAwaitingReview's would not).
    const repo = await h.newRepo(GREEN_REPO);
    h.model.push({ text: ADD_SUB_REPLY });
    const created = await submitTask(h.server.baseUrl, {
      title: 'Add sub',
      description: 'calc needs sub.',
      repo: repo.origin,
      risk_tier: 'medium',
    });
    const task = await waitForTerminal(h.server.baseUrl, created.id);
    expect(task.error).toBeNull();
    expect(task.status).toBe('awaiting_review');
    const success = await metric('autodev_tasks_success_total');
    const reverts = await metric('autodev_reverts_total');
    expect((await post(task.id, 'approve', {}, 'alice')).body).toMatchObject({ task: { status: 'merged' } });
    // Delivered once (awaiting review with its checks passed): its merge does not count it again.
    expect(await metric('autodev_tasks_success_total')).toBe(success);

    const requested = await api(h.server.baseUrl, `/api/v1/autodev/tasks/${task.id}/revert`, {
      method: 'POST',
    });
    expect(requested.status, requested.text).toBe(201);
    const revertId = (requested.body as { id: string }).id;
    const waiting = await waitForTerminal(h.server.baseUrl, revertId);
    expect(waiting.error).toBeNull();
    expect(waiting.status).toBe('awaiting_review');
    expect(await metric('autodev_reverts_total')).toBe(reverts);
    expect(await metric('autodev_tasks_success_total')).toBe(success + 1);

    expect((await post(revertId, 'approve', {}, 'alice')).body).toMatchObject({ task: { status: 'merged' } });
    expect(await metric('autodev_reverts_total')).toBe(reverts + 1);
    expect(await metric('autodev_tasks_success_total')).toBe(success + 1);
  });

  it('refuses a bad body naming the field, and answers 404 for an unknown id', async () => {
    const escape = await post('01unknowntask', 'comment', { by: 'x\u001b[2J' });
    expect(escape.status).toBe(400);
    expect(escape.text).toContain('by');
    const extra = await post('01unknowntask', 'approve', { by: 'alice', approvals: 5 });
    expect(extra.status).toBe(400);
    expect(extra.text).toContain('approvals');
    const unknown = await post('01unknowntask', 'approve', { by: 'alice' }, 'alice');
    expect(unknown.status).toBe(404);
    expect(unknown.body).toMatchObject({ error: { code: 'TASK_NOT_FOUND' } });
    expect((await api(h.server.baseUrl, `${PRS}/01unknowntask`)).status).toBe(404);
  });
});
