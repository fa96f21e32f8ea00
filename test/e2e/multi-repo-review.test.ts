import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { api, as, submitTask, waitForTask, waitForTerminal, type E2EUser } from '../helpers/api-client.js';
import {
  greetingEdit,
  NPM_LIBRARY_REPO,
  npmConsumerRepo,
  refuseMain,
  repoNameOf,
  welcomeEdit,
} from './multi-repo-fixtures.js';
import { startTemporalDevServer, type TemporalDevServer } from '../helpers/temporal-server.js';
import { startE2E, type E2EHarness } from './harness.js';

const PRS = '/api/v1/autodev/prs';

interface PrDetail {
  approvals: number;
  approvals_required: number;
  task: { status: string };
  pull_requests: { repo: string; role: string; status: string; approvals: number }[];
}

// Both engines run the merge (each calls runTask): the temporal one through a real dev server and worker.
describe.each(['embedded', 'temporal'] as const)(
  'reviewing and merging a multi-repo task on the %s engine: a pull request per repository, merged together',
  (engine) => {
    let h: E2EHarness;
    let temporal: TemporalDevServer | undefined;
    let consumerFiles: Record<string, string | Buffer>;
    beforeAll(async () => {
      if (engine === 'temporal') temporal = await startTemporalDevServer();
      [h, consumerFiles] = await Promise.all([
        startE2E(
          { max_step_retries: 0 },
          { auth: true, ...(temporal ? { temporal: { address: temporal.address } } : {}) },
        ),
        npmConsumerRepo(),
      ]);
    }, 180_000);
    afterAll(async () => {
      await h?.close();
      await temporal?.close();
    }, 120_000);

    const post = (id: string, action: string, body: unknown, user: E2EUser) =>
      api(h.server.baseUrl, `${PRS}/${id}/${action}`, {
        method: 'POST',
        body: JSON.stringify(body),
        headers: as(user),
      });

    async function trail(id: string): Promise<{ type: string; data: Record<string, unknown> }[]> {
      const events = await api(h.server.baseUrl, `/api/v1/autodev/tasks/${id}/events`);
      return (events.body as { events: { type: string; data: Record<string, unknown> }[] }).events;
    }

    /** A library and a user both changed by a task policy sends to review: it waits with two pull requests open. */
    async function awaitingReview(
      riskTier: 'medium' | 'high',
      prepareConsumer?: (origin: string) => Promise<void>,
    ) {
      const library = await h.newRepo(NPM_LIBRARY_REPO);
      const consumer = await h.newRepo(consumerFiles);
      await prepareConsumer?.(consumer.origin);
      const base = repoNameOf(library.origin);
      const names = [`${base}-1`, `${base}-2`] as const;
      const before = [await library.branchCommit('main'), await consumer.branchCommit('main')];
      h.model.push(greetingEdit('hi'), welcomeEdit(names[1], '', "module.exports = 'hi';\n"), {
        text: 'Both greet anew.',
      });
      const created = await submitTask(h.server.baseUrl, {
        title: `Greet with hi (${riskTier})`,
        risk_tier: riskTier,
        repos: [
          { repo: library.origin, role: 'library' },
          { repo: consumer.origin, role: 'consumer' },
        ],
      });
      const task = await waitForTerminal(h.server.baseUrl, created.id, 120_000);
      expect(task.status, JSON.stringify(task.error)).toBe('awaiting_review');
      expect(task.pull_requests.map((pr) => [pr.role, pr.status])).toEqual([
        ['library', 'open'],
        ['consumer', 'open'],
      ]);
      const heads = async () => [await library.branchCommit('main'), await consumer.branchCommit('main')];
      return { task, library, consumer, names, before, heads };
    }

    it('merges both pull requests on one approval of a medium-risk task, the library first', async () => {
      const { task, library, consumer, names, before, heads } = await awaitingReview('medium');
      const shown = await api(h.server.baseUrl, `${PRS}/${task.id}`);
      expect(shown.status, shown.text).toBe(200);
      expect(
        (shown.body as PrDetail).pull_requests.map((p) => [p.role, p.repo, p.status, p.approvals]),
      ).toEqual([
        ['library', library.origin, 'open', 0],
        ['consumer', consumer.origin, 'open', 0],
      ]);
      const refused = await post(task.id, 'merge', {}, 'alice');
      expect(refused.status).toBe(409);
      expect(refused.text).toContain(`the consumer's pull request in ${consumer.origin}: a medium-risk`);

      const approved = await post(task.id, 'approve', { comment: 'both look right' }, 'alice');
      expect(approved.status, approved.text).toBe(200);
      expect((approved.body as PrDetail).pull_requests.map((p) => p.approvals)).toEqual([1, 1]);
      const merged = await waitForTerminal(h.server.baseUrl, task.id, 120_000);
      expect(merged.status, JSON.stringify(merged.error)).toBe('merged');
      expect(merged.pull_requests.map((pr) => [pr.role, pr.status])).toEqual([
        ['library', 'merged'],
        ['consumer', 'merged'],
      ]);
      const after = await heads();
      expect(after).toEqual(merged.pull_requests.map((pr) => pr.merge_commit));
      expect(after[0]).not.toEqual(before[0]);
      expect(after[1]).not.toEqual(before[1]);
      expect(await library.readFileAt('main', 'index.js')).toContain('hi');

      const types = (await trail(task.id)).map((e) => e.type);
      expect(types.indexOf('pr.merge_requested')).toBeGreaterThan(types.indexOf('pr.approved'));
      expect(types.indexOf('pr.merged')).toBeGreaterThan(types.indexOf('pr.merge_requested'));
      expect(types.indexOf('pr.repo_merged')).toBeGreaterThan(types.indexOf('pr.merged'));
      expect(types.filter((t) => t === 'pr.merged')).toHaveLength(1);
      const keys = merged.steps.map((s) => s.key);
      expect(keys.indexOf(`merge.pr_merge@${names[1]}#1`)).toBeGreaterThan(keys.indexOf('merge.pr_merge#1'));
      expect(keys.indexOf('merge.pr_merge#1')).toBeGreaterThan(keys.indexOf(`merge.git_clone@${names[1]}#1`));
      // Merging again answers as merged.
      const again = await post(task.id, 'merge', {}, 'alice');
      expect(again.status, again.text).toBe(200);
      expect(again.body).toMatchObject({ task: { status: 'merged' } });
    });

    it('keeps a high-risk task waiting on one approval, naming what each pull request lacks', async () => {
      const { task, before, heads } = await awaitingReview('high');
      await post(task.id, 'approve', {}, 'alice');
      const refused = await post(task.id, 'merge', {}, 'alice');
      expect(refused.status).toBe(409);
      expect(refused.body).toMatchObject({
        error: { code: 'PR_NOT_MERGEABLE', details: { approvals: 1, approvals_required: 2 } },
      });
      expect(refused.text).toContain("the library's pull request in");
      expect(refused.text).toContain('needs 2 approval(s) from distinct allowed reviewers');
      await post(task.id, 'approve', {}, 'bob');
      const noOverride = await post(task.id, 'merge', {}, 'bob');
      expect(noOverride.status).toBe(409);
      expect(noOverride.text).toContain('explicit policy override');
      expect((await api(h.server.baseUrl, `/api/v1/autodev/tasks/${task.id}`)).body).toMatchObject({
        status: 'awaiting_review',
      });
      expect(await heads()).toEqual(before);

      const overridden = await post(task.id, 'override', { comment: 'reviewed both by hand' }, 'alice');
      expect(overridden.status, overridden.text).toBe(200);
      const merged = await waitForTerminal(h.server.baseUrl, task.id, 120_000);
      expect(merged.status, JSON.stringify(merged.error)).toBe('merged');
      const mergedEvent = (await trail(task.id)).find((e) => e.type === 'pr.merged');
      expect(mergedEvent?.data).toMatchObject({ override_by: 'alice', approvers: ['alice', 'bob'] });
    });

    it('reverts the merged library when its user cannot merge after approval, and fails naming the user', async () => {
      const { task, library, consumer, names, before, heads } = await awaitingReview('medium', refuseMain);
      const approved = await post(task.id, 'approve', {}, 'alice');
      expect(approved.status, approved.text).toBe(200);
      const failed = await waitForTerminal(h.server.baseUrl, task.id, 180_000);
      expect(failed.status).toBe('failed');
      expect(failed.error?.code).toBe('MULTI_REPO_MERGE_FAILED');
      expect(failed.error?.message).toContain(`the pull request in ${consumer.origin} could not merge`);
      expect(failed.error?.message).toContain(
        `the merged ones were reverted (a revert pull request merged in each): ${library.origin}`,
      );
      expect(failed.pull_requests.map((pr) => [pr.role, pr.repo, pr.status])).toEqual([
        ['library', library.origin, 'merged'],
        ['consumer', consumer.origin, 'open'],
        ['revert', library.origin, 'merged'],
      ]);
      expect(await library.readFileAt('main', 'index.js')).toBe(NPM_LIBRARY_REPO['index.js']);
      const after = await heads();
      expect(after[0]).not.toEqual(before[0]);
      expect(after[1]).toEqual(before[1]);
      const keys = failed.steps.map((s) => s.key);
      expect(keys).toContain(`merge.git_revert@${names[0]}#101`);
      expect(keys).toContain(`merge.pr_merge@${names[0]}#101`);
    }, 240_000);

    it('brings the library up to date when its base moved after approval, then merges both', async () => {
      const { task, library, consumer } = await awaitingReview('medium');
      await library.commit('main', { 'NOTES.md': 'a change by someone else\n' });
      const approved = await post(task.id, 'approve', {}, 'alice');
      expect(approved.status, approved.text).toBe(200);
      const merged = await waitForTask(
        h.server.baseUrl,
        task.id,
        (t) => t.status === 'merged' || t.status === 'failed',
        180_000,
      );
      expect(merged.status, JSON.stringify(merged.error)).toBe('merged');
      const events = await trail(task.id);
      const types = events.map((e) => e.type);
      // The first merge run found the base moved and asked for an update; the second merged.
      expect(events.filter((e) => e.type === 'pr.merge_finished').map((e) => e.data.outcome)).toEqual([
        'base_update_requested',
        'merged',
      ]);
      expect(types.indexOf('pr.base_updated')).toBeGreaterThan(types.indexOf('pr.update_requested'));
      // Someone else's commit stays on main, under the change.
      expect(await library.readFileAt('main', 'NOTES.md')).toBe('a change by someone else\n');
      expect(await library.readFileAt('main', 'index.js')).toContain('hi');
      expect(await consumer.readFileAt('main', 'welcome.js')).toContain('hi');
    }, 240_000);

    it('brings the user up to date when its base moved after approval, then merges both', async () => {
      const { task, library, consumer } = await awaitingReview('medium');
      await consumer.commit('main', { 'NOTES.md': 'a change by someone else\n' });
      const moved = await consumer.branchCommit('main');
      const approved = await post(task.id, 'approve', {}, 'alice');
      expect(approved.status, approved.text).toBe(200);
      // awaiting_review between the update and the second merge: waited past, to the end.
      const merged = await waitForTask(
        h.server.baseUrl,
        task.id,
        (t) => t.status === 'merged' || t.status === 'failed',
        180_000,
      );
      expect(merged.status, JSON.stringify(merged.error)).toBe('merged');
      const events = await trail(task.id);
      // The first merge run found the user's base moved and asked for an update, which replayed the
      // user onto it (its linked tests again); the second merge run merged both.
      const updates = events.filter((e) => e.type === 'pr.update_requested');
      expect(updates).toHaveLength(1);
      expect(updates[0]?.data.reason).toContain(`${consumer.origin} moved to ${moved}`);
      expect(events.filter((e) => e.type === 'pr.merge_finished').map((e) => e.data.outcome)).toEqual([
        'base_update_requested',
        'merged',
      ]);
      // Someone else's commit stays on the user's main, under the change; the library merged too.
      expect(await consumer.readFileAt('main', 'NOTES.md')).toBe('a change by someone else\n');
      expect(await consumer.readFileAt('main', 'welcome.js')).toContain('hi');
      expect(await library.readFileAt('main', 'index.js')).toContain('hi');
    }, 240_000);

    it('closes every pull request of the task on close', async () => {
      const { task, before, heads } = await awaitingReview('medium');
      const closed = await post(task.id, 'close', { comment: 'not now' }, 'alice');
      expect(closed.status, closed.text).toBe(200);
      expect(closed.body).toMatchObject({ task: { status: 'closed' } });
      expect((closed.body as PrDetail).pull_requests.map((p) => [p.role, p.status])).toEqual([
        ['library', 'closed'],
        ['consumer', 'closed'],
      ]);
      expect((await post(task.id, 'approve', {}, 'alice')).status).toBe(409);
      expect(await heads()).toEqual(before);
    });
  },
);
