import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { api, as, submitTask, waitForTask, waitForTerminal, type TaskJson } from '../helpers/api-client.js';
import { startFakeGithub, type FakeGithub } from '../helpers/fake-github/server.js';
import type { ScriptedReply } from '../helpers/scripted-model-server.js';
import { startHoldProxy, type HoldProxy } from './forge-hold-proxy.js';
import { greetingEdit, NPM_LIBRARY_REPO, npmConsumerRepo } from './multi-repo-fixtures.js';
import { startE2E, type E2EHarness } from './harness.js';
import { taskEvents } from './task-journey.js';

const TOKEN = 'multi-repo-github-token-5e2a9c';
const WEBHOOK_SECRET = 'multi-repo-github-webhook-secret-7b41';
const OWNER = 'team';

/**
 * A multi-repo task on a fake GitHub: each pull request needs its own approval on the forge, each
 * reaching autodev as the fake's signed webhook delivery (no polling); a human's merge or close of one
 * on the forge is the task's.
 */
describe('a multi-repo task reviewed on a fake GitHub', () => {
  const webhook = { url: 'http://127.0.0.1:9/unset', secret: WEBHOOK_SECRET };
  let github: FakeGithub;
  let proxy: HoldProxy;
  let h: E2EHarness;
  let consumerFiles: Record<string, string | Buffer>;
  let count = 0;
  const pointWebhookAtServer = () => {
    webhook.url = `${h.server.baseUrl}/api/v1/autodev/webhooks/github`;
  };

  beforeAll(async () => {
    github = await startFakeGithub({ token: TOKEN, webhook });
    proxy = await startHoldProxy(github.apiUrl);
    [h, consumerFiles] = await Promise.all([
      startE2E(
        {
          provider: '"github"',
          'git.api_url': `"${proxy.url}"`,
          'git.reviewers': '["alice", "bob"]',
          allowlist_repos: '["127.0.0.1*/team/*"]',
          review_poll_secs: 0,
          max_step_retries: 0,
        },
        { extraEnv: { GITHUB_TOKEN: TOKEN, AUTODEV_WEBHOOK_SECRET: WEBHOOK_SECRET }, auth: true },
      ),
      npmConsumerRepo(),
    ]);
    pointWebhookAtServer();
  }, 300_000);
  afterAll(async () => {
    await h?.close();
    await proxy?.close();
    await github?.close();
  });

  const pullOf = (name: string) => {
    const pulls = github.pullsOf(OWNER, name);
    expect(pulls).toHaveLength(1);
    const pull = pulls[0];
    if (!pull) throw new Error(`no pull request in ${name}`);
    return pull;
  };
  const stateOf = (name: string) => {
    const pull = pullOf(name);
    return pull.merged ? 'merged' : pull.state;
  };
  const mains = async (names: readonly string[]) =>
    Promise.all(names.map((n) => github.branchSha(OWNER, n, 'main')));
  const waitForEvent = async (id: string, type: string) => {
    const deadline = Date.now() + 60_000;
    while (!(await taskEvents(h.server.baseUrl, id)).some((e) => e.type === type)) {
      if (Date.now() > deadline) throw new Error(`task ${id}: no ${type} event`);
      await new Promise((r) => setTimeout(r, 200));
    }
  };
  const ended = (id: string) =>
    waitForTask(
      h.server.baseUrl,
      id,
      (t) => !['awaiting_review', 'queued', 'delivering'].includes(t.status),
      180_000,
    );

  /** A library and its user both changed by a medium-risk task: waiting with a pull request open in each. */
  async function awaitingReview(): Promise<{ task: TaskJson; names: [string, string]; urls: string[] }> {
    count += 1;
    const names: [string, string] = [`greetlib${count}`, `greetapp${count}`];
    // The fake writes each file as given (a Buffer too, in its folder): the user's vendored tarball.
    const library = await github.createRepo(OWNER, names[0], NPM_LIBRARY_REPO);
    const consumer = await github.createRepo(OWNER, names[1], consumerFiles as Record<string, string>);
    const welcome: ScriptedReply = {
      toolCalls: [
        {
          name: 'apply_edit',
          arguments: {
            repo: names[1],
            search_replace: [{ path: 'welcome.js', search: '', replace: "module.exports = 'hi';\n" }],
          },
        },
      ],
    };
    h.model.push(greetingEdit('hi'), welcome, { text: 'Both greet anew.' });
    const created = await submitTask(h.server.baseUrl, {
      title: `Greet with hi, library and user ${count}`,
      risk_tier: 'medium',
      repos: [
        { repo: library, role: 'library' },
        { repo: consumer, role: 'consumer' },
      ],
    });
    const task = await waitForTerminal(h.server.baseUrl, created.id, 180_000);
    expect(task.status, JSON.stringify(task.error)).toBe('awaiting_review');
    expect(names.map(stateOf)).toEqual(['open', 'open']);
    return { task, names, urls: [library, consumer] };
  }

  it("merges neither on the library's approval alone; the user's approval by webhook then merges both, the library first", async () => {
    const { task, names, urls } = await awaitingReview();
    const before = await mains(names);
    await github.approve(pullOf(names[0]).number, 'alice');
    await waitForEvent(task.id, 'pr.approved');
    const waiting = await waitForTask(h.server.baseUrl, task.id, (t) => t.status === 'awaiting_review');
    expect(waiting.pull_requests.map((p) => p.status)).toEqual(['open', 'open']);
    expect(names.map(stateOf)).toEqual(['open', 'open']);
    expect(await mains(names)).toEqual(before);
    const shown = await api(h.server.baseUrl, `/api/v1/autodev/prs/${task.id}`);
    expect(
      (shown.body as { pull_requests: { approvals: number }[] }).pull_requests.map((p) => p.approvals),
    ).toEqual([1, 0]);

    await github.approve(pullOf(names[1]).number, 'bob');
    const merged = await ended(task.id);
    expect(merged.status, JSON.stringify(merged.error)).toBe('merged');
    expect(names.map(stateOf)).toEqual(['merged', 'merged']);
    const after = await mains(names);
    expect(after[0]).not.toEqual(before[0]);
    expect(after[1]).not.toEqual(before[1]);
    const events = await taskEvents(h.server.baseUrl, task.id);
    // The user's approval is recorded as made on its pull request.
    expect(events.filter((e) => e.type === 'pr.approved').map((e) => [e.data.by, e.data.repo])).toEqual([
      ['alice', undefined],
      ['bob', urls[1]],
    ]);
    const types = events.map((e) => e.type);
    expect(types.indexOf('pr.repo_merged')).toBeGreaterThan(types.indexOf('pr.merged'));
    for (const { status } of github.webhookDeliveries) expect(status).toBe(202);
  }, 400_000);

  it("closes the task and the library's pull request when a human closes the user's on the forge", async () => {
    const { task, names } = await awaitingReview();
    await github.closeAsHuman(pullOf(names[1]).number);
    const closed = await ended(task.id);
    expect(closed.status).toBe('closed');
    expect(names.map(stateOf)).toEqual(['closed', 'closed']);
    expect(closed.pull_requests.map((p) => p.status)).toEqual(['closed', 'closed']);
    // The library's pull request says why it closed.
    expect(
      pullOf(names[0])
        .issueComments.map((c) => c.body)
        .join('\n'),
    ).toContain(`its pull request in ${closed.pull_requests[1]?.repo} was closed on the forge`);
  }, 400_000);

  it("skips the library a human merged on the forge: an approval through the API then merges the user's alone", async () => {
    const { task, names } = await awaitingReview();
    const mergeCommit = await github.mergeAsHuman(pullOf(names[0]).number);
    await waitForEvent(task.id, 'pr.repo_merged');
    const half = await waitForTask(h.server.baseUrl, task.id, (t) => t.status === 'awaiting_review');
    expect(half.pull_requests.map((p) => [p.status, p.merge_commit])).toEqual([
      ['merged', mergeCommit],
      ['open', null],
    ]);
    const approved = await api(h.server.baseUrl, `/api/v1/autodev/prs/${task.id}/approve`, {
      method: 'POST',
      body: JSON.stringify({}),
      headers: as('alice'),
    });
    expect(approved.status, approved.text).toBe(200);
    const merged = await ended(task.id);
    expect(merged.status, JSON.stringify(merged.error)).toBe('merged');
    expect(names.map(stateOf)).toEqual(['merged', 'merged']);
    const keys = merged.steps.map((s) => s.key);
    expect(keys).toContain(`merge.pr_merge@${names[1]}#1`);
    expect(keys).not.toContain('merge.pr_merge#1');
  }, 400_000);

  it("resumes a merge killed while the forge merges the user's pull request: both merged, each once", async () => {
    const { task, names } = await awaitingReview();
    const held = proxy.holdNext(new RegExp(`^PUT /repos/${OWNER}/${names[1]}/pulls/[0-9]+/merge$`));
    const approved = await api(h.server.baseUrl, `/api/v1/autodev/prs/${task.id}/approve`, {
      method: 'POST',
      body: JSON.stringify({}),
      headers: as('alice'),
    });
    expect(approved.status, approved.text).toBe(200);
    await held;
    // The forge merged the user's pull request; autodev dies before it hears so.
    await h.restart();
    pointWebhookAtServer();
    const merged = await ended(task.id);
    expect(merged.status, JSON.stringify(merged.error)).toBe('merged');
    expect(names.map(stateOf)).toEqual(['merged', 'merged']);
    const events = await taskEvents(h.server.baseUrl, task.id);
    expect(events.filter((e) => e.type === 'pr.merged')).toHaveLength(1);
    expect(events.filter((e) => e.type === 'pr.repo_merged')).toHaveLength(1);
    // The resumed run merged the library no more (its merge was recorded) and asked again for the user's.
    const started = (key: string) =>
      events.filter((e) => e.type === 'step.started' && e.data.key === key).length;
    expect(started('merge.pr_merge#1')).toBe(1);
    expect(started(`merge.pr_merge@${names[1]}#1`)).toBe(2);
  }, 400_000);
});
