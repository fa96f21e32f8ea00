import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { api, as, submitTask, waitForTask, waitForTerminal, type TaskJson } from '../helpers/api-client.js';
import {
  startGiteaUnderTest,
  startGithubUnderTest,
  startGitlabUnderTest,
  type ForgeFactory,
  type ForgePull,
  type ForgeUnderTest,
} from './forge-adapters.js';
import { PYTHON_BUGGY_REPO, PYTHON_FIX_REPLY } from './fixtures.js';
import { startE2E, type E2EHarness } from './harness.js';
import { taskEvents } from './task-journey.js';

const TOKEN = 'forge-perm-e2e-token-5e2a91c7';
const WEBHOOK_SECRET = 'forge-perm-e2e-webhook-secret-77b3';

const FORGES: [string, ForgeFactory][] = [
  ['GitHub', startGithubUnderTest],
  ['Gitea', startGiteaUnderTest],
  ['GitLab', startGitlabUnderTest],
];

/**
 * With `[autodev.git] reviewers` empty (the seed's configuration sets none), a hosted forge's own
 * reviews count when the forge says their author may write to the repository: each fake answers
 * from its own permission API (GitHub's collaborator permission, Gitea's repo permissions, GitLab's
 * project members), and autodev reads it at every review sync.
 */
for (const [name, startForge] of FORGES) {
  describe(`${name}: with [autodev.git] reviewers empty, reviews count by the forge's write permission`, () => {
    const webhook = { url: 'http://127.0.0.1:9/unset', secret: WEBHOOK_SECRET };
    let forge: ForgeUnderTest;
    let h: E2EHarness;
    let repoCount = 0;

    beforeAll(async () => {
      forge = await startForge({ token: TOKEN, webhook });
      h = await startE2E(
        {
          provider: `"${forge.provider}"`,
          'git.api_url': `"${forge.apiUrl}"`,
          allowlist_repos: '["127.0.0.1*/team/*"]',
          review_poll_secs: 0,
          max_step_retries: 1,
        },
        { extraEnv: { [forge.tokenEnv]: TOKEN, AUTODEV_WEBHOOK_SECRET: WEBHOOK_SECRET }, auth: true },
      );
      webhook.url = `${h.server.baseUrl}/api/v1/autodev/webhooks/${forge.provider}`;
    }, 300_000);
    afterAll(async () => {
      await h?.close();
      await forge?.close();
    });
    afterEach(() => {
      // Every request autodev made, the permission lookups included, fits the forge's API description.
      expect(forge.violations().splice(0)).toEqual([]);
      expect(h.server.output()).not.toContain(TOKEN);
    });

    const approvalEvents = async (id: string) =>
      (await taskEvents(h.server.baseUrl, id)).filter((e) => e.type === 'pr.approved');
    const waitForApprovals = async (id: string, count: number) => {
      const deadline = Date.now() + 60_000;
      while ((await approvalEvents(id)).length < count) {
        if (Date.now() > deadline) throw new Error(`task ${id}: fewer than ${count} pr.approved events`);
        await new Promise((r) => setTimeout(r, 200));
      }
      return approvalEvents(id);
    };

    /** A medium-risk task awaiting review on the forge, with its pull request. */
    async function awaitingReview(): Promise<{ repoName: string; task: TaskJson; pull: ForgePull }> {
      repoCount += 1;
      const repoName = `perm${repoCount}`;
      const repo = await forge.createRepo(repoName, PYTHON_BUGGY_REPO);
      h.model.push({ text: PYTHON_FIX_REPLY });
      const created = await submitTask(h.server.baseUrl, {
        title: `Fix ${repoName}`,
        description: 'add must add',
        repo,
        risk_tier: 'medium',
      });
      const task = await waitForTerminal(h.server.baseUrl, created.id);
      expect(task.error).toBeNull();
      expect(task.status).toBe('awaiting_review');
      const pulls = forge.pulls(repoName);
      expect(pulls).toHaveLength(1);
      return { repoName, task, pull: pulls[0] as ForgePull };
    }

    const statusOf = async (id: string) =>
      ((await api(h.server.baseUrl, `/api/v1/autodev/tasks/${id}`)).body as TaskJson).status;

    it('an approval on the forge by an account with write permission merges a medium-risk pull request', async () => {
      const { repoName, task, pull } = await awaitingReview();
      const mainBefore = await forge.branchSha(repoName, 'main');
      forge.grant(repoName, 'wanda', 'write');
      await forge.approve(repoName, pull.number, 'wanda');
      const merged = await waitForTask(
        h.server.baseUrl,
        task.id,
        (t) => t.status !== 'awaiting_review',
        120_000,
      );
      expect(merged.error).toBeNull();
      expect(merged.status).toBe('merged');
      expect(forge.pulls(repoName)[0]?.state).toBe('merged');
      expect(await forge.branchSha(repoName, 'main')).not.toBe(mainBefore);
      const [approval] = await approvalEvents(task.id);
      expect(approval?.data).toMatchObject({ by: 'wanda' });
      expect(approval?.data).not.toHaveProperty('ignored');
    });

    it('an approval by a read-only account is recorded and ignored, and its event says why', async () => {
      const { repoName, task, pull } = await awaitingReview();
      const mainBefore = await forge.branchSha(repoName, 'main');
      forge.grant(repoName, 'rita', 'read');
      await forge.approve(repoName, pull.number, 'rita');
      const [approval] = await waitForApprovals(task.id, 1);
      expect(approval?.data).toMatchObject({
        by: 'rita',
        ignored: expect.stringMatching(/^rita has .*permission on the repository, not write/),
      });
      expect(await statusOf(task.id)).toBe('awaiting_review');
      expect(forge.pulls(repoName)[0]?.state).toBe('open');
      expect(await forge.branchSha(repoName, 'main')).toBe(mainBefore);
    });

    it("the pull request's author (autodev's own account) never counts, though it may write", async () => {
      const { repoName, task, pull } = await awaitingReview();
      const mainBefore = await forge.branchSha(repoName, 'main');
      await forge.approve(repoName, pull.number, forge.botLogin);
      const [approval] = await waitForApprovals(task.id, 1);
      expect(approval?.data).toMatchObject({
        by: forge.botLogin,
        ignored: expect.stringContaining("is the pull request's author"),
      });
      expect(await statusOf(task.id)).toBe('awaiting_review');
      // An approval through autodev's API is refused, saying where a review counts instead.
      const viaApi = await api(h.server.baseUrl, `/api/v1/autodev/prs/${task.id}/approve`, {
        method: 'POST',
        body: JSON.stringify({ comment: 'looks fine' }),
        headers: as('carol'),
      });
      expect(viaApi.status, viaApi.text).toBe(403);
      expect(viaApi.body).toMatchObject({ error: { code: 'REVIEWER_NOT_ALLOWED' } });
      expect(viaApi.text).toContain('write permission');
      expect(forge.pulls(repoName)[0]?.state).toBe('open');
      expect(await forge.branchSha(repoName, 'main')).toBe(mainBefore);
    });
  });
}
