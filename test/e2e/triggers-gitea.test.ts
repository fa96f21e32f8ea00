import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { E2EHarness } from './harness.js';
import { ADD_SUB_REPLY, GREEN_REPO } from './task-journey.js';
import {
  describeTriggerE2E,
  expectCommentRunsToMerge,
  startTriggerServer,
  tasksOf,
  TRIGGER_SECRET,
  TRIGGER_TOKEN,
  waitUntil,
} from './trigger-e2e.js';
import { giteaTriggerForge, type TriggerForge } from './trigger-forges.js';

describeTriggerE2E('a fake Gitea (its API checked against its published swagger)', giteaTriggerForge);

describe('tasks from Gitea comments by polling, for a forge whose webhooks cannot reach autodev', () => {
  // Gitea delivers nowhere autodev listens until the last step, which checks a late webhook.
  const webhook = { url: 'http://127.0.0.1:9/unreachable', secret: TRIGGER_SECRET };
  const repo = { name: 'polled', url: '' };
  let forge: TriggerForge;
  let h: E2EHarness;

  beforeAll(async () => {
    forge = await giteaTriggerForge({ token: TRIGGER_TOKEN, webhook });
    repo.url = await forge.createRepo(repo.name, GREEN_REPO);
    forge.grantWrite(repo.name, 'alice');
    // A request made before autodev first polled is history, not a request to act on now.
    const old = await forge.openIssue(repo.name, { title: 'Old', body: '', labels: [], by: 'alice' });
    await forge.comment(repo.name, old, 'alice', '/autodev an old request');
    h = await startTriggerServer(forge, `poll_secs = 1\npoll_repos = ["${repo.url}"]\n`);
  }, 300_000);
  afterAll(async () => {
    await h?.close();
    await forge?.close();
  });
  afterEach(() => {
    expect(forge.violations().splice(0)).toEqual([]);
    expect(h.server.output()).not.toContain(TRIGGER_TOKEN);
  });

  it('a writer comment is read by the poll and becomes one task; the same comment arriving late by webhook, and the comments from before the first poll, start nothing', async () => {
    const comments = 'GET /api/v1/repos/team/polled/issues/comments';
    // The first poll only marks where the repository's comments start: wait for it, then comment.
    await waitUntil(
      () => forge.requestLines().some((line) => line.startsWith(comments)),
      'the first poll read the comments',
    );
    const polls = () => forge.requestLines().filter((line) => line.startsWith(comments)).length;
    const before = polls();
    await waitUntil(() => polls() > before, 'a poll after the first');
    h.model.push({ text: ADD_SUB_REPLY });
    const number = await forge.openIssue(repo.name, {
      title: 'Add sub beside add',
      body: 'calc.py needs sub(a, b).',
      labels: [],
      by: 'alice',
    });
    const delivery = await forge.comment(repo.name, number, 'alice', '/autodev please add sub(a, b)');
    await waitUntil(async () => (await tasksOf(h, repo.url)).length > 0, 'the poll started a task');

    webhook.url = `${h.server.baseUrl}/api/v1/autodev/webhooks/gitea`;
    expect(await forge.redeliver(delivery)).toBe(202);
    expect(await tasksOf(h, repo.url)).toHaveLength(1);
    await expectCommentRunsToMerge(h, forge, repo, number);
    // Later polls keep reading the repository and start nothing more.
    const after = polls();
    await waitUntil(() => polls() > after + 1, 'two more polls');
    expect(await tasksOf(h, repo.url)).toHaveLength(1);
  });
});
