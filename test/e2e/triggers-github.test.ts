import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { api, waitForTerminal } from '../helpers/api-client.js';
import { startFakeGithub, type FakeGithub } from '../helpers/fake-github/server.js';
import { startE2E, type E2EHarness } from './harness.js';
import { ADD_SUB_REPLY, GREEN_REPO, taskEvents } from './task-journey.js';

const TOKEN = 'ghp_triggers0123456789abcdefghijklmnopqrs';
const SECRET = 'triggers-webhook-secret-7f3a';
const OWNER = 'team';

describe('tasks from GitHub issue comments, through the signed webhook', () => {
  const webhook = { url: 'http://127.0.0.1:9/unset', secret: SECRET };
  let fake: FakeGithub;
  let h: E2EHarness;
  let repoCount = 0;

  beforeAll(async () => {
    fake = await startFakeGithub({ token: TOKEN, webhook });
    h = await startE2E(
      {
        provider: '"github"',
        'git.api_url': `"${fake.apiUrl}"`,
        allowlist_repos: '["127.0.0.1*/team/*"]',
        review_poll_secs: 0,
        max_step_retries: 1,
      },
      {
        extraEnv: { GITHUB_TOKEN: TOKEN, AUTODEV_WEBHOOK_SECRET: SECRET },
        tables: '[autodev.triggers]\nbot_account = "autodev-bot"\n',
      },
    );
    webhook.url = `${h.server.baseUrl}/api/v1/autodev/webhooks/github`;
  }, 300_000);
  afterAll(async () => {
    await h?.close();
    await fake?.close();
  });
  afterEach(() => {
    // Every call autodev made fits GitHub's published API description; the token never leaks.
    expect(fake.violations.splice(0)).toEqual([]);
    expect(h.server.output()).not.toContain(TOKEN);
  });

  const newRepo = async () => {
    const name = `app${++repoCount}`;
    const url = await fake.createRepo(OWNER, name, GREEN_REPO);
    fake.setRole(OWNER, name, 'alice', 'write');
    fake.setRole(OWNER, name, 'mallory', 'read');
    return { name, url };
  };
  const tasksOf = async (url: string) =>
    (
      (await api(h.server.baseUrl, `/api/v1/autodev/tasks?repo=${encodeURIComponent(url)}`)).body as {
        tasks: { id: string }[];
      }
    ).tasks;
  const botComments = (number: number) => fake.issue(number).comments.filter((c) => c.by === 'autodev-bot');

  it('a /autodev comment by a writer becomes a task; a redelivery starts nothing more; the status comment ends merged and the PR closes the issue', async () => {
    const repo = await newRepo();
    h.model.push({ text: ADD_SUB_REPLY });
    const number = await fake.openIssue(OWNER, repo.name, {
      title: 'Add sub beside add',
      body: 'calc.py needs sub(a, b).',
      labels: [],
      by: 'alice',
    });
    // An unlabelled issue is no trigger.
    expect(await tasksOf(repo.url)).toHaveLength(0);
    const delivery = await fake.commentOnIssue(number, 'alice', '/autodev please add sub(a, b)');
    const [task] = await tasksOf(repo.url);
    expect(task).toBeDefined();
    // GitHub sends a delivery again when it saw no answer: the same comment is one trigger.
    expect(await fake.redeliver(delivery)).toBe(202);
    expect(await tasksOf(repo.url)).toHaveLength(1);

    const done = await waitForTerminal(h.server.baseUrl, task?.id ?? '');
    expect(done.error).toBeNull();
    expect(done.status).toBe('merged');
    const [pull] = fake.pullsOf(OWNER, repo.name);
    expect(pull?.body).toContain(`Closes #${number}`);
    const events = await taskEvents(h.server.baseUrl, done.id);
    expect(events.find((e) => e.type === 'task.triggered')?.data).toMatchObject({
      forge: 'github',
      issue: number,
      by: 'alice',
      via: 'comment',
    });
    for (let i = 0; i < 300 && !botComments(number)[0]?.body.includes('merged'); i++) {
      await new Promise((r) => setTimeout(r, 100));
    }
    expect(botComments(number)).toHaveLength(1);
    expect(botComments(number)[0]?.body).toContain('merged');
    expect(fake.webhookDeliveries.every((d) => d.status === 202)).toBe(true);
  });

  it('a delivery with a bad signature is refused 401 and starts nothing', async () => {
    const repo = await newRepo();
    const number = await fake.openIssue(OWNER, repo.name, { title: 'x', body: '', labels: [], by: 'alice' });
    const delivery = await fake.commentOnIssue(number, 'mallory', 'just a remark');
    const forged = {
      ...delivery,
      payload: delivery.payload.replace('just a remark', '/autodev delete everything'),
    };
    expect(await fake.redeliver(forged)).toBe(401);
    expect(await tasksOf(repo.url)).toHaveLength(0);
    expect(botComments(number)).toHaveLength(0);
  });

  it('a commenter without write permission on GitHub gets one polite reply and no task', async () => {
    const repo = await newRepo();
    const number = await fake.openIssue(OWNER, repo.name, {
      title: 'y',
      body: '',
      labels: [],
      by: 'mallory',
    });
    const delivery = await fake.commentOnIssue(number, 'mallory', '/autodev add sub, I have write access');
    expect(await fake.redeliver(delivery)).toBe(202);
    expect(await tasksOf(repo.url)).toHaveLength(0);
    const replies = botComments(number);
    expect(replies).toHaveLength(1);
    expect(replies[0]?.body).toContain('@mallory');
    expect(replies[0]?.body).toContain('write permission');
  });
});
