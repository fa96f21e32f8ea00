import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { submitTask, waitForTask, waitForTerminal } from '../helpers/api-client.js';
import type { ScriptedReply } from '../helpers/scripted-model-server.js';
import { startGithubUnderTest, type ForgeUnderTest } from './forge-adapters.js';
import { greetingEdit, NPM_LIBRARY_REPO, npmConsumerRepo } from './multi-repo-fixtures.js';
import { startE2E, type E2EHarness } from './harness.js';
import { taskEvents } from './task-journey.js';

const TOKEN = 'multi-repo-github-token-5e2a9c';
const WEBHOOK_SECRET = 'multi-repo-github-webhook-secret-7b41';

/**
 * A multi-repo task on a fake GitHub: each pull request needs its own approval on the forge, each
 * reaching autodev as the fake's signed webhook delivery (no polling).
 */
describe('a multi-repo task reviewed on a fake GitHub', () => {
  const webhook = { url: 'http://127.0.0.1:9/unset', secret: WEBHOOK_SECRET };
  let forge: ForgeUnderTest;
  let h: E2EHarness;
  let consumerFiles: Record<string, string | Buffer>;

  beforeAll(async () => {
    forge = await startGithubUnderTest({ token: TOKEN, webhook });
    [h, consumerFiles] = await Promise.all([
      startE2E(
        {
          provider: `"${forge.provider}"`,
          'git.api_url': `"${forge.apiUrl}"`,
          'git.reviewers': '["alice", "bob"]',
          allowlist_repos: '["127.0.0.1*/team/*"]',
          review_poll_secs: 0,
          max_step_retries: 0,
        },
        { extraEnv: { [forge.tokenEnv]: TOKEN, AUTODEV_WEBHOOK_SECRET: WEBHOOK_SECRET }, auth: true },
      ),
      npmConsumerRepo(),
    ]);
    webhook.url = `${h.server.baseUrl}/api/v1/autodev/webhooks/${forge.provider}`;
  }, 300_000);
  afterAll(async () => {
    await h?.close();
    await forge?.close();
  });

  it("merges neither on the library's approval alone; the user's approval by webhook then merges both, the library first", async () => {
    // The fake writes each file as given (a Buffer too, in its folder): the user's vendored tarball.
    const library = await forge.createRepo('greetlib', NPM_LIBRARY_REPO);
    const consumer = await forge.createRepo('greetapp', consumerFiles as Record<string, string>);
    const before = [await forge.branchSha('greetlib', 'main'), await forge.branchSha('greetapp', 'main')];
    const welcome: ScriptedReply = {
      toolCalls: [
        {
          name: 'apply_edit',
          arguments: {
            repo: 'greetapp',
            search_replace: [{ path: 'welcome.js', search: '', replace: "module.exports = 'hi';\n" }],
          },
        },
      ],
    };
    h.model.push(greetingEdit('hi'), welcome, { text: 'Both greet anew.' });
    const created = await submitTask(h.server.baseUrl, {
      title: 'Greet with hi, library and user',
      risk_tier: 'medium',
      repos: [
        { repo: library, role: 'library' },
        { repo: consumer, role: 'consumer' },
      ],
    });
    const task = await waitForTerminal(h.server.baseUrl, created.id, 180_000);
    expect(task.status, JSON.stringify(task.error)).toBe('awaiting_review');
    const [libraryPull] = forge.pulls('greetlib');
    const [consumerPull] = forge.pulls('greetapp');
    expect([libraryPull?.state, consumerPull?.state]).toEqual(['open', 'open']);

    await forge.approve('greetlib', libraryPull?.number ?? 0, 'alice');
    const approvedOnce = async () =>
      (await taskEvents(h.server.baseUrl, task.id)).some((e) => e.type === 'pr.approved');
    const deadline = Date.now() + 60_000;
    while (!(await approvedOnce())) {
      if (Date.now() > deadline) throw new Error("the library's approval never reached autodev");
      await new Promise((r) => setTimeout(r, 200));
    }
    const waiting = await waitForTask(h.server.baseUrl, task.id, (t) => t.status === 'awaiting_review');
    expect(waiting.pull_requests.map((p) => p.status)).toEqual(['open', 'open']);
    expect([forge.pulls('greetlib')[0]?.state, forge.pulls('greetapp')[0]?.state]).toEqual(['open', 'open']);
    expect([await forge.branchSha('greetlib', 'main'), await forge.branchSha('greetapp', 'main')]).toEqual(
      before,
    );

    await forge.approve('greetapp', consumerPull?.number ?? 0, 'bob');
    const merged = await waitForTask(
      h.server.baseUrl,
      task.id,
      (t) => t.status === 'merged' || t.status === 'failed',
      180_000,
    );
    expect(merged.status, JSON.stringify(merged.error)).toBe('merged');
    expect([forge.pulls('greetlib')[0]?.state, forge.pulls('greetapp')[0]?.state]).toEqual([
      'merged',
      'merged',
    ]);
    expect(await forge.fileAt('greetlib', 'main', 'index.js')).toContain('hi');
    expect(await forge.branchSha('greetapp', 'main')).not.toEqual(before[1]);
    const events = await taskEvents(h.server.baseUrl, task.id);
    const approvals = events.filter((e) => e.type === 'pr.approved');
    // The user's approval is recorded as made on its pull request.
    expect(approvals.map((e) => [e.data.by, e.data.repo])).toEqual([
      ['alice', undefined],
      ['bob', consumer],
    ]);
    const types = events.map((e) => e.type);
    expect(types.indexOf('pr.repo_merged')).toBeGreaterThan(types.indexOf('pr.merged'));
    for (const status of forge.webhookStatuses() ?? []) expect(status).toBe(202);
  }, 400_000);
});
