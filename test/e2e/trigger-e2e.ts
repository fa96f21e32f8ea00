import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { api, waitForTerminal } from '../helpers/api-client.js';
import { startE2E, type E2EHarness } from './harness.js';
import { ADD_SUB_REPLY, GREEN_REPO, taskEvents } from './task-journey.js';
import type { TriggerForge, TriggerForgeFactory } from './trigger-forges.js';

export const TRIGGER_TOKEN = 'triggers-token-0123456789abcdefghijklmnop';
export const TRIGGER_SECRET = 'triggers-webhook-secret-7f3a';

/** autodev serving `forge` (its API at `apiUrl`), with `[autodev.triggers]` plus `triggers` lines. */
export function startTriggerServer(forge: TriggerForge, triggers = ''): Promise<E2EHarness> {
  return startE2E(
    {
      provider: `"${forge.provider}"`,
      'git.api_url': `"${forge.apiUrl}"`,
      allowlist_repos: '["127.0.0.1*/team/*"]',
      review_poll_secs: 0,
      max_step_retries: 1,
    },
    {
      extraEnv: { [forge.tokenEnv]: TRIGGER_TOKEN, AUTODEV_WEBHOOK_SECRET: TRIGGER_SECRET },
      tables: `[autodev.triggers]\nbot_account = "${forge.botLogin}"\n${triggers}`,
    },
  );
}

/** The tasks autodev holds for a repo, newest first. */
export async function tasksOf(h: E2EHarness, url: string): Promise<{ id: string }[]> {
  const res = await api(h.server.baseUrl, `/api/v1/autodev/tasks?repo=${encodeURIComponent(url)}`);
  return (res.body as { tasks: { id: string }[] }).tasks;
}

/** Waits until `check` holds (the server acts on its own time), failing with `what` after a minute. */
export async function waitUntil(check: () => boolean | Promise<boolean>, what: string): Promise<void> {
  const deadline = Date.now() + 60_000;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting until ${what}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

/**
 * A writer's `/autodev` comment on an issue runs to a merged pull request that closes the issue, and
 * the one status comment autodev keeps says merged. The caller has the issue and its comment made.
 */
export async function expectCommentRunsToMerge(
  h: E2EHarness,
  forge: TriggerForge,
  repo: { name: string; url: string },
  number: number,
): Promise<void> {
  const [task] = await tasksOf(h, repo.url);
  expect(task).toBeDefined();
  const done = await waitForTerminal(h.server.baseUrl, task?.id ?? '');
  expect(done.error).toBeNull();
  expect(done.status).toBe('merged');
  expect(forge.pullBodies(repo.name)[0]).toContain(`Closes #${number}`);
  const events = await taskEvents(h.server.baseUrl, done.id);
  expect(events.find((e) => e.type === 'task.triggered')?.data).toMatchObject({
    forge: forge.provider,
    issue: number,
    by: 'alice',
    via: 'comment',
  });
  await waitUntil(
    () => forge.botComments(repo.name, number)[0]?.includes('merged') === true,
    'the status comment says merged',
  );
  expect(forge.botComments(repo.name, number)).toHaveLength(1);
}

/**
 * The same trigger journey for each forge, through its webhook: one `autodev serve` per forge, its
 * fake (every request checked against the forge's API description) delivering issue and comment
 * events the way the forge would, and who may trigger read from the forge.
 */
export function describeTriggerE2E(name: string, startForge: TriggerForgeFactory): void {
  describe(`tasks from issue comments on ${name}, through its webhook`, () => {
    const webhook = { url: 'http://127.0.0.1:9/unset', secret: TRIGGER_SECRET };
    let forge: TriggerForge;
    let h: E2EHarness;
    let repoCount = 0;

    beforeAll(async () => {
      forge = await startForge({ token: TRIGGER_TOKEN, webhook });
      h = await startTriggerServer(forge);
      webhook.url = `${h.server.baseUrl}/api/v1/autodev/webhooks/${forge.provider}`;
    }, 300_000);
    afterAll(async () => {
      await h?.close();
      await forge?.close();
    });
    afterEach(() => {
      // Every call autodev made fits the forge's API description; the token never leaks.
      expect(forge.violations().splice(0)).toEqual([]);
      expect(h.server.output()).not.toContain(TRIGGER_TOKEN);
    });

    const newRepo = async () => {
      const name = `app${++repoCount}`;
      const url = await forge.createRepo(name, GREEN_REPO);
      forge.grantWrite(name, 'alice');
      return { name, url };
    };

    it('a /autodev comment by a writer becomes a task; a redelivery starts nothing more; the status comment ends merged and the PR closes the issue', async () => {
      const repo = await newRepo();
      h.model.push({ text: ADD_SUB_REPLY });
      const number = await forge.openIssue(repo.name, {
        title: 'Add sub beside add',
        body: 'calc.py needs sub(a, b).',
        labels: [],
        by: 'alice',
      });
      // An unlabelled issue is no trigger.
      expect(await tasksOf(h, repo.url)).toHaveLength(0);
      const delivery = await forge.comment(repo.name, number, 'alice', '/autodev please add sub(a, b)');
      expect(await tasksOf(h, repo.url)).toHaveLength(1);
      // A forge sends a delivery again when it saw no answer: the same comment is one trigger.
      expect(await forge.redeliver(delivery)).toBe(202);
      expect(await tasksOf(h, repo.url)).toHaveLength(1);
      await expectCommentRunsToMerge(h, forge, repo, number);
    });

    it('a delivery with a bad signature or token is refused 401 and starts nothing', async () => {
      const repo = await newRepo();
      const number = await forge.openIssue(repo.name, { title: 'x', body: '', labels: [], by: 'alice' });
      const delivery = await forge.comment(repo.name, number, 'mallory', 'just a remark');
      const forged = forge.forged(
        delivery,
        delivery.payload.replace('just a remark', '/autodev delete everything'),
      );
      expect(await forge.redeliver(forged)).toBe(401);
      expect(await tasksOf(h, repo.url)).toHaveLength(0);
      expect(forge.botComments(repo.name, number)).toHaveLength(0);
    });

    it('a commenter who is no member of the repository gets one polite reply and no task', async () => {
      const repo = await newRepo();
      const number = await forge.openIssue(repo.name, { title: 'y', body: '', labels: [], by: 'mallory' });
      const delivery = await forge.comment(repo.name, number, 'mallory', '/autodev add sub, I may');
      expect(await forge.redeliver(delivery)).toBe(202);
      expect(await tasksOf(h, repo.url)).toHaveLength(0);
      const replies = forge.botComments(repo.name, number);
      expect(replies).toHaveLength(1);
      expect(replies[0]).toContain('@mallory');
      expect(replies[0]).toContain('write permission');
    });

    it('an issue opened by a writer with the trigger label becomes a task, taken once', async () => {
      const repo = await newRepo();
      const number = await forge.openIssue(repo.name, {
        title: 'Add mul beside add',
        body: 'calc.py needs mul(a, b).',
        labels: ['autodev'],
        by: 'alice',
      });
      const [task] = await tasksOf(h, repo.url);
      expect(task).toBeDefined();
      const events = await taskEvents(h.server.baseUrl, task?.id ?? '');
      expect(events.find((e) => e.type === 'task.triggered')?.data).toMatchObject({
        forge: forge.provider,
        issue: number,
        by: 'alice',
        via: 'opened',
      });
      // The model has no reply queued for it: the task stops there; cancel so nothing outlives the suite.
      await api(h.server.baseUrl, `/api/v1/autodev/tasks/${task?.id ?? ''}/cancel`, { method: 'POST' });
      await waitForTerminal(h.server.baseUrl, task?.id ?? '');
    });
  });
}

/**
 * Polling for a forge whose webhooks cannot reach autodev: the forge delivers nowhere autodev
 * listens, so only the poll of `poll_repos` can start the task; a late webhook for the same comment
 * then checks that both ways take it once. `issueActs`: the forge's poller reads labels,
 * assignments and merge request notes too (GitLab: its issues and merge requests one by one), not
 * only a repository's comments.
 */
export function describeTriggerPollE2E(
  name: string,
  startForge: TriggerForgeFactory,
  options: { issueActs?: boolean } = {},
): void {
  describe(`tasks from comments on ${name} by polling, for a forge whose webhooks cannot reach autodev`, () => {
    const webhook = { url: 'http://127.0.0.1:9/unreachable', secret: TRIGGER_SECRET };
    const repo = { name: 'polled', url: '' };
    let forge: TriggerForge;
    let h: E2EHarness;

    beforeAll(async () => {
      forge = await startForge({ token: TRIGGER_TOKEN, webhook });
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

    const polls = () => forge.requestLines().filter((line) => forge.pollListing(repo.name).test(line)).length;
    /** Waits for `count` more polls of the repository to begin (the last may still be running). */
    const laterPolls = async (count: number, what: string) => {
      const before = polls();
      await waitUntil(() => polls() >= before + count, what);
    };

    it('a writer comment is read by the poll and becomes one task; the same comment arriving late by webhook, and the comments from before the first poll, start nothing', async () => {
      // The first poll only marks where the repository's comments start: wait for it, then comment.
      await waitUntil(() => polls() > 0, 'the first poll read the repository');
      await laterPolls(1, 'a poll after the first');
      h.model.push({ text: ADD_SUB_REPLY });
      const number = await forge.openIssue(repo.name, {
        title: 'Add sub beside add',
        body: 'calc.py needs sub(a, b).',
        labels: [],
        by: 'alice',
      });
      const delivery = await forge.comment(repo.name, number, 'alice', '/autodev please add sub(a, b)');
      await waitUntil(async () => (await tasksOf(h, repo.url)).length > 0, 'the poll started a task');

      webhook.url = `${h.server.baseUrl}/api/v1/autodev/webhooks/${forge.provider}`;
      expect(await forge.redeliver(delivery)).toBe(202);
      expect(await tasksOf(h, repo.url)).toHaveLength(1);
      await expectCommentRunsToMerge(h, forge, repo, number);
      // Later polls keep reading the repository and start nothing more.
      await laterPolls(2, 'two more polls');
      expect(await tasksOf(h, repo.url)).toHaveLength(1);
      webhook.url = 'http://127.0.0.1:9/unreachable';
    });

    it('a polled /autodev comment by someone who is no member gets one polite reply, no task, and no second reply on later polls', async () => {
      const tasks = (await tasksOf(h, repo.url)).length;
      const number = await forge.openIssue(repo.name, { title: 'z', body: '', labels: [], by: 'mallory' });
      await forge.comment(repo.name, number, 'mallory', '/autodev add sub, I may');
      await waitUntil(() => forge.botComments(repo.name, number).length > 0, 'the poll answered');
      await laterPolls(2, 'two more polls');
      const replies = forge.botComments(repo.name, number);
      expect(replies).toHaveLength(1);
      expect(replies[0]).toContain('@mallory');
      expect(replies[0]).toContain('write permission');
      expect(await tasksOf(h, repo.url)).toHaveLength(tasks);
    });

    if (!options.issueActs) return;

    it('a note on the merged merge request is read by the poll: an instruction there is answered once, to go through review', async () => {
      const tasks = (await tasksOf(h, repo.url)).length;
      const toAlice = () => (forge.botPullComments?.(repo.name, 1) ?? []).filter((b) => b.includes('@alice'));
      await forge.commentOnPull?.(repo.name, 1, 'alice', '/autodev also add mul(a, b)');
      await waitUntil(() => toAlice().length > 0, 'the poll answered on the merge request');
      await laterPolls(2, 'two more polls');
      expect(toAlice()).toHaveLength(1);
      expect(toAlice()[0]).toContain('request changes in a review');
      expect(await tasksOf(h, repo.url)).toHaveLength(tasks);
    });

    /** The newest task of the repo, its trigger event's data; cancelled so nothing outlives the suite. */
    const triggeredTask = async (tasks: number) => {
      await waitUntil(async () => (await tasksOf(h, repo.url)).length > tasks, 'the poll started a task');
      const [task] = await tasksOf(h, repo.url);
      const events = await taskEvents(h.server.baseUrl, task?.id ?? '');
      // The model has no reply queued for it: the task stops there; cancel so nothing outlives the suite.
      await api(h.server.baseUrl, `/api/v1/autodev/tasks/${task?.id ?? ''}/cancel`, { method: 'POST' });
      await waitForTerminal(h.server.baseUrl, task?.id ?? '');
      return events.find((e) => e.type === 'task.triggered')?.data;
    };

    it('an issue a writer labels after opening it is read by the poll as one task, by the writer who labelled it', async () => {
      const tasks = (await tasksOf(h, repo.url)).length;
      const number = await forge.openIssue(repo.name, {
        title: 'Add mul',
        body: '',
        labels: [],
        by: 'mallory',
      });
      await forge.labelIssue?.(repo.name, number, 'alice', 'autodev');
      expect(await triggeredTask(tasks)).toMatchObject({ issue: number, by: 'alice', via: 'labeled' });
      await laterPolls(2, 'two more polls');
      expect(await tasksOf(h, repo.url)).toHaveLength(tasks + 1);
    });

    it('an issue a writer assigns to the bot is read by the poll as one task, by the writer who assigned it', async () => {
      const tasks = (await tasksOf(h, repo.url)).length;
      const number = await forge.openIssue(repo.name, {
        title: 'Add div',
        body: '',
        labels: [],
        by: 'alice',
      });
      await forge.assignIssue?.(repo.name, number, 'alice', forge.botLogin);
      expect(await triggeredTask(tasks)).toMatchObject({ issue: number, by: 'alice', via: 'assigned' });
      await laterPolls(2, 'two more polls');
      expect(await tasksOf(h, repo.url)).toHaveLength(tasks + 1);
    });
  });
}
