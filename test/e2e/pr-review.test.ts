import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { api, submitTask, waitForTerminal } from '../helpers/api-client.js';
import { PYTHON_BUGGY_REPO, PYTHON_FIX_REPLY } from './fixtures.js';
import { startE2E, type E2EHarness } from './harness.js';

const PRS = '/api/v1/autodev/prs';

describe('reviewing a pull request left awaiting_review, over HTTP', () => {
  let h: E2EHarness;
  beforeAll(async () => {
    h = await startE2E({ max_step_retries: 1, setup_network: true });
  });
  afterAll(() => h?.close());

  const post = (id: string, action: string, body: unknown) =>
    api(h.server.baseUrl, `${PRS}/${id}/${action}`, { method: 'POST', body: JSON.stringify(body) });

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

    expect((await post(task.id, 'merge', { by: 'alice' })).status).toBe(409);
    // The approval merges by itself, as an approval on a hosted forge does (through the review intake).
    const approved = await post(task.id, 'approve', { by: 'alice', comment: 'looks right' });
    expect(approved.status, approved.text).toBe(200);
    expect(approved.body).toMatchObject({
      approvals: 1,
      approvals_required: 1,
      pr: { status: 'merged' },
      task: { status: 'merged' },
    });
    expect(await repo.branchCommit('main')).toBe(await repo.branchCommit(task.branch ?? ''));
    // An explicit merge after it answers merged: merging is idempotent.
    const merged = await post(task.id, 'merge', { by: 'alice' });
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
    expect((await post(task.id, 'approve', { by: 'bob' })).status).toBe(409);
  });

  it('merges a high-risk pull request only with 2 distinct approvals AND an override, both in the audit trail', async () => {
    const { repo, task } = await taskAwaitingReview('high');
    const mainBefore = await repo.branchCommit('main');
    await post(task.id, 'approve', { by: 'alice' });
    // The same reviewer approving again is still one approval.
    await post(task.id, 'approve', { by: 'alice' });
    const refused = await post(task.id, 'merge', { by: 'alice' });
    expect(refused.status).toBe(409);
    expect(refused.body).toMatchObject({
      error: { code: 'PR_NOT_MERGEABLE', details: { approvals: 1, approvals_required: 2 } },
    });
    expect(refused.text).toContain('needs 2 approval');

    const second = await post(task.id, 'approve', { by: 'bob' });
    expect(second.body).toMatchObject({ approvals: 2, task: { status: 'awaiting_review' } });
    const noOverride = await post(task.id, 'merge', { by: 'bob' });
    expect(noOverride.status).toBe(409);
    expect(noOverride.text).toContain('override');
    expect(await repo.branchCommit('main')).toBe(mainBefore);

    const reasonless = await post(task.id, 'override', { by: 'carol' });
    expect(reasonless.status).toBe(400);
    expect(reasonless.text).toContain('comment');
    const overridden = await post(task.id, 'override', {
      by: 'carol',
      comment: 'reviewed the migration by hand',
    });
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
    expect((await post(task.id, 'comment', { by: 'carol', comment: 'not like this' })).status).toBe(200);
    const closed = await post(task.id, 'close', { by: 'carol' });
    expect(closed.status).toBe(200);
    expect(closed.body).toMatchObject({ pr: { status: 'closed' }, task: { status: 'closed' } });
    const shown = await api(h.server.baseUrl, `${PRS}/${task.id}`);
    expect(shown.body).toMatchObject({
      reviews: [{ kind: 'comment', by: 'carol', comment: 'not like this' }],
    });
    await post(task.id, 'approve', { by: 'dave' });
    expect((await post(task.id, 'merge', { by: 'dave' })).status).toBe(409);
    expect(await repo.branchCommit('main')).toBe(mainBefore);
  });

  it('refuses a bad body naming the field, and answers 404 for an unknown id', async () => {
    const missing = await post('01unknowntask', 'approve', {});
    expect(missing.status).toBe(400);
    expect(missing.text).toContain('by');
    const escape = await post('01unknowntask', 'comment', { by: 'x\u001b[2J' });
    expect(escape.status).toBe(400);
    expect(escape.text).toContain('by');
    const extra = await post('01unknowntask', 'approve', { by: 'alice', approvals: 5 });
    expect(extra.status).toBe(400);
    expect(extra.text).toContain('approvals');
    const unknown = await post('01unknowntask', 'approve', { by: 'alice' });
    expect(unknown.status).toBe(404);
    expect(unknown.body).toMatchObject({ error: { code: 'TASK_NOT_FOUND' } });
    expect((await api(h.server.baseUrl, `${PRS}/01unknowntask`)).status).toBe(404);
  });
});
