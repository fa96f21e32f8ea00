import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { api, as, submitTask, waitForTask, waitForTerminal, type TaskJson } from '../helpers/api-client.js';
import type { ForgeFactory, ForgePull, ForgeUnderTest } from './forge-adapters.js';
import { startHoldProxy, type HoldProxy } from './forge-hold-proxy.js';
import { PYTHON_BUGGY_REPO, PYTHON_FIX_REPLY } from './fixtures.js';
import { startE2E, type E2EHarness } from './harness.js';
import { ADD_SUB_REPLY, GREEN_REPO, REVIEW_REPLY, taskEvents } from './task-journey.js';

const TOKEN = 'forge-e2e-token-8c1f2a9b7d';
const WEBHOOK_SECRET = 'forge-e2e-webhook-secret-41d0';
const PRS = '/api/v1/autodev/prs';

/** The request that opens a pull request (GitHub and Gitea) or a merge request (GitLab). */
const OPEN_PULL_REQUEST = /^POST .*\/(pulls|merge_requests)$/;

const within = <T>(promise: Promise<T>, ms: number, what: string): Promise<T> =>
  Promise.race([
    promise,
    new Promise<T>((_, reject) => setTimeout(() => reject(new Error(`timed out: ${what}`)), ms)),
  ]);

/**
 * The same journey through autodev's HTTP API for each hosted forge: one `autodev serve` per provider,
 * its fake forge (every request checked against the forge's API description), webhooks from the fake
 * to the server and no polling, so each act on the forge reaches autodev the way it would in use.
 */
export function describeForgeE2E(name: string, startForge: ForgeFactory): void {
  describe(`end to end through autodev's API against ${name}`, () => {
    const webhook = { url: 'http://127.0.0.1:9/unset', secret: WEBHOOK_SECRET };
    let forge: ForgeUnderTest;
    let proxy: HoldProxy;
    let h: E2EHarness;
    let repoCount = 0;
    const pointWebhookAtServer = () => {
      webhook.url = `${h.server.baseUrl}/api/v1/autodev/webhooks/${forge.provider}`;
    };

    beforeAll(async () => {
      forge = await startForge({ token: TOKEN, webhook });
      proxy = await startHoldProxy(forge.apiUrl);
      h = await startE2E(
        {
          provider: `"${forge.provider}"`,
          'git.api_url': `"${proxy.url}"`,
          'git.reviewers': '["alice", "bob", "carol"]',
          allowlist_repos: '["127.0.0.1*/team/*"]',
          review_poll_secs: 0,
          max_step_retries: 1,
          max_review_rounds: 2,
        },
        // Overrides go through the API, by a named user (carol's token): [[autodev.auth.users]] on.
        { extraEnv: { [forge.tokenEnv]: TOKEN, AUTODEV_WEBHOOK_SECRET: WEBHOOK_SECRET }, auth: true },
      );
      pointWebhookAtServer();
    }, 300_000);
    afterAll(async () => {
      await h?.close();
      await proxy?.close();
      await forge?.close();
    });
    afterEach(() => {
      // Every request autodev made (and every answer the fake gave) fits the forge's API description.
      expect(forge.violations().splice(0)).toEqual([]);
      expect(forge.requestLines().join('\n')).not.toContain(TOKEN);
      expect(h.server.output()).not.toContain(TOKEN);
    });

    const post = (path: string, body?: unknown) =>
      api(h.server.baseUrl, path, {
        method: 'POST',
        ...(body === undefined ? {} : { body: JSON.stringify(body) }),
      });
    const events = (id: string) => taskEvents(h.server.baseUrl, id);
    const eventsOf = async (id: string, type: string) => (await events(id)).filter((e) => e.type === type);
    const waitForEvents = async (id: string, type: string, count: number) => {
      const deadline = Date.now() + 60_000;
      while ((await eventsOf(id, type)).length < count) {
        if (Date.now() > deadline) throw new Error(`task ${id}: fewer than ${count} ${type} events`);
        await new Promise((r) => setTimeout(r, 200));
      }
    };
    const onlyPull = (repoName: string): ForgePull => {
      const pulls = forge.pulls(repoName);
      expect(pulls).toHaveLength(1);
      return pulls[0] as ForgePull;
    };

    async function newTask(files: Record<string, string>, reply: string, riskTier: string) {
      repoCount += 1;
      const repoName = `repo${repoCount}`;
      const repo = await forge.createRepo(repoName, files);
      h.model.push({ text: reply });
      const created = await submitTask(h.server.baseUrl, {
        title: `Change ${repoName} (${riskTier})`,
        description: 'calc must be right.',
        repo,
        risk_tier: riskTier,
      });
      return { repoName, repo, created };
    }

    async function awaitingReview(riskTier: 'medium' | 'high') {
      const { repoName, created } = await newTask(PYTHON_BUGGY_REPO, PYTHON_FIX_REPLY, riskTier);
      const task = await waitForTerminal(h.server.baseUrl, created.id);
      expect(task.error).toBeNull();
      expect(task.status).toBe('awaiting_review');
      const pull = onlyPull(repoName);
      expect(pull).toMatchObject({ state: 'open', labels: ['autodev', `risk:${riskTier}`] });
      return { repoName, task, pull };
    }

    it('low risk: killed while the forge opens its pull request, restarted, merged with exactly one pull request; then reverted by a merged revert pull request', async () => {
      const held = proxy.holdNext(OPEN_PULL_REQUEST);
      const { repoName, created } = await newTask(GREEN_REPO, ADD_SUB_REPLY, 'low');
      const before = await forge.branchSha(repoName, 'main');
      await within(held, 180_000, 'the pull request request to reach the forge');
      // The forge has the pull request; autodev dies before it hears so.
      await h.restart();
      pointWebhookAtServer();

      const task = await waitForTerminal(h.server.baseUrl, created.id);
      expect(task.error).toBeNull();
      expect(task.status).toBe('merged');
      const pull = onlyPull(repoName);
      expect(pull).toMatchObject({ state: 'merged', labels: ['autodev', 'risk:low'] });
      expect(pull.body).toContain('| Tests |');
      expect(pull.body).toContain('| Policy |');
      expect(pull.body).toContain(task.id);
      // The base branch really moved, to the task's work.
      const mainAfter = await forge.branchSha(repoName, 'main');
      expect(mainAfter).not.toBe(before);
      expect(await forge.fileAt(repoName, 'main', 'calc.py')).toContain('def sub');
      expect(task.pr).toMatchObject({ number: pull.number, status: 'merged' });
      const types = (await events(task.id)).map((e) => e.type);
      expect(types).toContain('task.resumed');
      expect(types.filter((t) => t === 'pr.opened')).toHaveLength(1);
      expect(types.filter((t) => t === 'pr.merged')).toHaveLength(1);

      const revert = await post(`/api/v1/autodev/tasks/${task.id}/revert`);
      expect(revert.status, revert.text).toBe(201);
      const revertTask = await waitForTerminal(h.server.baseUrl, (revert.body as TaskJson).id);
      expect(revertTask.error).toBeNull();
      expect(revertTask.status).toBe('merged');
      const pulls = forge.pulls(repoName);
      expect(pulls).toHaveLength(2);
      expect(pulls[1]).toMatchObject({ state: 'merged' });
      expect(await forge.branchSha(repoName, 'main')).not.toBe(mainAfter);
      expect(await forge.fileAt(repoName, 'main', 'calc.py')).toBe(GREEN_REPO['calc.py'].trimEnd()); // git's output, trimmed
      const metrics = (await api(h.server.baseUrl, '/metrics')).text;
      expect(metrics).toMatch(/^autodev_reverts_total [1-9]/m);
    });

    it('medium risk: waits; a webhook with a bad signature is refused (401, nothing changes); a change request on the forge is answered by a new commit and one summary comment, an approval on the forge merges it', async () => {
      const { repoName, task, pull } = await awaitingReview('medium');
      const branch = task.branch ?? '';
      const head = await forge.branchSha(repoName, branch);
      const mainBefore = await forge.branchSha(repoName, 'main');
      const commentsBefore = pull.autodevComments;

      const payload = JSON.stringify({ action: 'submitted', number: pull.number });
      for (const headers of [forge.forgedWebhook(payload), {}]) {
        const refused = await fetch(webhook.url, {
          method: 'POST',
          headers: { 'content-type': 'application/json', ...headers },
          body: payload,
        });
        expect(refused.status).toBe(401);
      }
      const untouched = (await api(h.server.baseUrl, `/api/v1/autodev/tasks/${task.id}`)).body as TaskJson;
      expect(untouched.status).toBe('awaiting_review');
      expect((await events(task.id)).map((e) => e.type)).not.toContain('pr.changes_requested');

      h.model.push({ text: REVIEW_REPLY });
      await forge.requestChanges(repoName, pull.number, 'alice', 'Please document mul.', {
        path: 'calc.py',
        line: 5,
      });
      await waitForEvents(task.id, 'review.round_finished', 1);
      const answered = await waitForTask(
        h.server.baseUrl,
        task.id,
        (t) => t.status === 'awaiting_review' && t.pr?.head_commit !== head,
        120_000,
      );
      expect(answered.error).toBeNull();
      const newHead = await forge.branchSha(repoName, branch);
      expect(newHead).not.toBe(head);
      expect(answered.pr?.head_commit).toBe(newHead);
      expect(await forge.fileAt(repoName, branch, 'calc.py')).toContain('"""Multiply a by b."""');
      expect(answered.steps.find((s) => s.key === 'review.test#1')?.status).toBe('succeeded');
      const afterRound = onlyPull(repoName);
      expect(afterRound.autodevComments - commentsBefore).toBe(1);

      // The forge's own signed delivery of the approval is accepted and merges it (no polling here).
      await forge.approve(repoName, pull.number, 'bob');
      // awaiting_review counts as terminal for waitForTerminal: wait for the merge itself.
      const merged = await waitForTask(
        h.server.baseUrl,
        task.id,
        (t) => t.status !== 'awaiting_review',
        120_000,
      );
      expect(merged.status).toBe('merged');
      expect(onlyPull(repoName).state).toBe('merged');
      expect(await forge.branchSha(repoName, 'main')).not.toBe(mainBefore);
      expect(await forge.fileAt(repoName, 'main', 'calc.py')).toContain('"""Multiply a by b."""');
      expect(await eventsOf(task.id, 'review.round_requested')).toHaveLength(1);
      // Where the fake keeps its deliveries, every signed one was accepted.
      for (const status of forge.webhookStatuses() ?? []) expect(status).toBe(202);
    });

    it('high risk: two approvals on the forge are not enough without the override through the API; both merge it', async () => {
      const { repoName, task, pull } = await awaitingReview('high');
      const mainBefore = await forge.branchSha(repoName, 'main');
      await forge.approve(repoName, pull.number, 'alice');
      await forge.approve(repoName, pull.number, 'bob');
      await waitForEvents(task.id, 'pr.approved', 2);
      const waiting = await api(h.server.baseUrl, `/api/v1/autodev/tasks/${task.id}`);
      expect(waiting.body).toMatchObject({ status: 'awaiting_review' });
      expect(await forge.branchSha(repoName, 'main')).toBe(mainBefore);
      expect(onlyPull(repoName).state).toBe('open');

      const overridden = await api(h.server.baseUrl, `${PRS}/${task.id}/override`, {
        method: 'POST',
        body: JSON.stringify({ comment: 'checked the change by hand' }),
        headers: as('carol'),
      });
      expect(overridden.status, overridden.text).toBe(200);
      const merged = await waitForTerminal(h.server.baseUrl, task.id);
      expect(merged.status).toBe('merged');
      expect(onlyPull(repoName).state).toBe('merged');
      expect(await forge.branchSha(repoName, 'main')).not.toBe(mainBefore);
      const mergedEvent = (await eventsOf(task.id, 'pr.merged'))[0];
      expect(mergedEvent?.data).toMatchObject({ override_by: 'carol' });
    });
  });
}
