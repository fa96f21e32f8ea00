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

  it('merges a medium-risk pull request after one approval: origin main fast-forwarded, task merged', async () => {
    const { repo, task } = await taskAwaitingReview('medium');
    const mainBefore = await repo.branchCommit('main');
    expect(await repo.branchCommit(task.branch ?? '')).not.toBe(mainBefore);

    const listed = await api(h.server.baseUrl, `${PRS}?status=open`);
    expect(listed.status).toBe(200);
    expect(listed.body).toMatchObject({
      prs: expect.arrayContaining([expect.objectContaining({ task_id: task.id })]),
    });

    expect((await post(task.id, 'merge', { by: 'alice' })).status).toBe(409);
    const approved = await post(task.id, 'approve', { by: 'alice', comment: 'looks right' });
    expect(approved.status).toBe(200);
    expect(approved.body).toMatchObject({ approvals: 1, approvals_required: 1 });

    const merged = await post(task.id, 'merge', { by: 'alice' });
    expect(merged.status, merged.text).toBe(200);
    expect(merged.body).toMatchObject({ pr: { status: 'merged' }, task: { status: 'merged' } });
    expect(await repo.branchCommit('main')).toBe(await repo.branchCommit(task.branch ?? ''));

    const events = await api(h.server.baseUrl, `/api/v1/autodev/tasks/${task.id}/events`);
    const types = (events.body as { events: { type: string }[] }).events.map((e) => e.type);
    expect(types).toEqual(expect.arrayContaining(['pr.approved', 'pr.merged', 'task.status_changed']));
    const metrics = await api(h.server.baseUrl, '/metrics');
    expect(metrics.text).toMatch(/^autodev_merges_total [1-9]/m);

    // A merged pull request takes no more reviews.
    expect((await post(task.id, 'approve', { by: 'bob' })).status).toBe(409);
  });

  it('refuses to merge a high-risk pull request on one approval, naming the 2 it needs', async () => {
    const { repo, task } = await taskAwaitingReview('high');
    await post(task.id, 'approve', { by: 'alice' });
    // The same reviewer approving again is still one approval.
    await post(task.id, 'approve', { by: 'alice' });
    const refused = await post(task.id, 'merge', { by: 'alice' });
    expect(refused.status).toBe(409);
    expect(refused.body).toMatchObject({
      error: { code: 'PR_NOT_MERGEABLE', details: { approvals_required: 2 } },
    });
    expect(refused.text).toContain('needs 2 approval');
    const mainBefore = await repo.branchCommit('main');
    expect(mainBefore).not.toBe(await repo.branchCommit(task.branch ?? ''));

    await post(task.id, 'approve', { by: 'bob' });
    const merged = await post(task.id, 'merge', { by: 'bob' });
    expect(merged.status, merged.text).toBe(200);
    expect(await repo.branchCommit('main')).toBe(await repo.branchCommit(task.branch ?? ''));
  });

  it('closes a pull request: the task ends closed and it can no longer merge', async () => {
    const { repo, task } = await taskAwaitingReview('medium');
    const mainBefore = await repo.branchCommit('main');
    expect((await post(task.id, 'request-changes', { by: 'carol', comment: 'not like this' })).status).toBe(
      200,
    );
    const closed = await post(task.id, 'close', { by: 'carol' });
    expect(closed.status).toBe(200);
    expect(closed.body).toMatchObject({ pr: { status: 'closed' }, task: { status: 'closed' } });
    const shown = await api(h.server.baseUrl, `${PRS}/${task.id}`);
    expect(shown.body).toMatchObject({
      reviews: [{ kind: 'changes_requested', by: 'carol', comment: 'not like this' }],
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
