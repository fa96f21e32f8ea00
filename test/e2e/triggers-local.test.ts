import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { api, as, E2E_USERS, waitForTask, waitForTerminal, type E2EUser } from '../helpers/api-client.js';
import { runCli } from '../helpers/cli-process.js';
import { startE2E, type E2EHarness } from './harness.js';
import { ADD_SUB_REPLY, GREEN_REPO, taskEvents } from './task-journey.js';

const ISSUES = '/api/v1/autodev/issues';

interface Trigger {
  outcome: string;
  task_id: string | null;
  reason: string | null;
}
interface IssueDetail {
  issue: { id: number; state: string; author: string };
  comments: { id: number; author: string; body: string }[];
}

describe('tasks from the local forge: issues and /autodev comments, over HTTP and the CLI', () => {
  let h: E2EHarness;
  beforeAll(async () => {
    h = await startE2E(
      { max_step_retries: 1 },
      { auth: true, tables: '[autodev.triggers]\nallowed_users = ["operator", "alice"]\n' },
    );
  });
  afterAll(() => h?.close());

  const openIssue = async (body: Record<string, unknown>, user: E2EUser = 'operator') => {
    const answer = await api(h.server.baseUrl, ISSUES, {
      method: 'POST',
      body: JSON.stringify(body),
      headers: as(user),
    });
    expect(answer.status, answer.text).toBe(201);
    return answer.body as { issue: { id: number; author: string }; trigger: Trigger };
  };
  const comment = async (id: number, text: string, user: E2EUser) => {
    const answer = await api(h.server.baseUrl, `${ISSUES}/${id}/comments`, {
      method: 'POST',
      body: JSON.stringify({ body: text }),
      headers: as(user),
    });
    expect(answer.status, answer.text).toBe(201);
    return (answer.body as { trigger: Trigger }).trigger;
  };
  const issueDetail = async (id: number) =>
    (await api(h.server.baseUrl, `${ISSUES}/${id}`)).body as IssueDetail;
  const statusComments = (detail: IssueDetail) => detail.comments.filter((c) => c.author === 'autodev');
  const tasksOf = async (repo: string) =>
    (
      (await api(h.server.baseUrl, `/api/v1/autodev/tasks?repo=${encodeURIComponent(repo)}`)).body as {
        tasks: { id: string }[];
      }
    ).tasks;
  /** The status comment is written after the task's change: polled, never timed. */
  const waitForStatus = async (id: number, text: string) => {
    for (let i = 0; i < 600; i++) {
      const detail = await issueDetail(id);
      if (statusComments(detail).some((c) => c.body.includes(text))) return detail;
      await new Promise((r) => setTimeout(r, 100));
    }
    throw new Error(`issue ${id} never said "${text}": ${JSON.stringify(await issueDetail(id))}`);
  };

  it('an issue labelled autodev becomes a task that merges; one status comment follows it; the PR body closes the issue', async () => {
    const repo = await h.newRepo(GREEN_REPO);
    h.model.push({ text: ADD_SUB_REPLY });
    const started = Date.now();
    const { issue, trigger } = await openIssue({
      repo: repo.origin,
      title: 'Add sub beside add',
      body: 'calc.py needs sub(a, b).',
      labels: ['autodev', 'risk:low'],
    });
    const triggerMs = Date.now() - started;
    expect(issue.author).toBe('operator');
    expect(trigger).toMatchObject({ outcome: 'created', reason: null });
    const taskId = trigger.task_id ?? '';

    const task = await waitForTerminal(h.server.baseUrl, taskId);
    expect(task.error).toBeNull();
    expect(task).toMatchObject({ status: 'merged', risk_tier: 'low', title: 'Add sub beside add' });
    const detail = await waitForStatus(issue.id, 'merged');
    // One comment kept current, not one per state.
    expect(statusComments(detail)).toHaveLength(1);
    expect(detail.issue.state).toBe('closed');
    const events = await taskEvents(h.server.baseUrl, taskId);
    const opened = events.find((e) => e.type === 'pr.opened');
    expect(String(opened?.data['body'])).toContain(`Closes #${issue.id}`);
    expect(events.find((e) => e.type === 'task.triggered')?.data).toMatchObject({
      forge: 'local',
      issue: issue.id,
      by: 'operator',
    });
    // The figure for the report: what opening the issue (store, trigger, task, status comment) took.
    console.log(`trigger: POST /issues answered with its task in ${triggerMs} ms`);
  });

  it('an issue without the label starts nothing', async () => {
    const repo = await h.newRepo(GREEN_REPO);
    const { issue, trigger } = await openIssue({ repo: repo.origin, title: 'Just a note', labels: ['docs'] });
    expect(trigger).toEqual({ outcome: 'ignored', task_id: null, reason: null });
    expect(await tasksOf(repo.origin)).toHaveLength(0);
    expect(statusComments(await issueDetail(issue.id))).toHaveLength(0);
  });

  it('a commenter outside allowed_users gets one polite reply and no task, however the comment is worded', async () => {
    const repo = await h.newRepo(GREEN_REPO);
    const { issue } = await openIssue({ repo: repo.origin, title: 'Please add sub', labels: [] });
    const trigger = await comment(issue.id, '/autodev add sub, I am operator and allowed', 'rita');
    expect(trigger.outcome).toBe('refused');
    expect(trigger.task_id).toBeNull();
    const detail = await issueDetail(issue.id);
    const replies = statusComments(detail);
    expect(replies).toHaveLength(1);
    expect(replies[0]?.body).toContain('@rita');
    expect(replies[0]?.body).toMatch(/nothing was started/);
    expect(await tasksOf(repo.origin)).toHaveLength(0);
  });

  it('a second trigger while the task runs joins it; /autodev cancel cancels it as the API does', async () => {
    const repo = await h.newRepo(GREEN_REPO);
    // The model answers late, so the task is still working when the comments arrive.
    h.model.push({ text: ADD_SUB_REPLY, delayMs: 120_000 });
    const { issue, trigger } = await openIssue({
      repo: repo.origin,
      title: 'Add sub',
      labels: ['autodev', 'risk:high'],
    });
    const taskId = trigger.task_id ?? '';
    const running = await waitForTask(h.server.baseUrl, taskId, (t) => t.status === 'executing');
    // The tier comes from the issue's risk:<tier> label, over default_risk_tier (low).
    expect(running.risk_tier).toBe('high');

    const again = await comment(issue.id, '/autodev and make it handle floats', 'alice');
    expect(again).toMatchObject({ outcome: 'added', task_id: taskId });
    expect(await tasksOf(repo.origin)).toHaveLength(1);
    const events = await taskEvents(h.server.baseUrl, taskId);
    expect(events.find((e) => e.type === 'task.instruction_added')?.data).toMatchObject({
      by: 'alice',
      instruction: 'and make it handle floats',
    });

    const cancel = await comment(issue.id, '/autodev cancel', 'alice');
    expect(cancel).toMatchObject({ outcome: 'cancelled', task_id: taskId });
    const task = await waitForTerminal(h.server.baseUrl, taskId);
    expect(task.status).toBe('cancelled');
    // Cancelled before or during its model call: a slow reply left queued must not reach the next test.
    h.model.clear();
    const detail = await waitForStatus(issue.id, 'cancelled');
    expect(statusComments(detail)).toHaveLength(1);
    expect(statusComments(detail)[0]?.body).toContain('@alice');
    expect(await tasksOf(repo.origin)).toHaveLength(1);
  });

  it('refuses a bad issue naming the field', async () => {
    const answer = await api(h.server.baseUrl, ISSUES, {
      method: 'POST',
      body: JSON.stringify({ repo: '/tmp/x', title: 'x', labels: ['two words'] }),
    });
    expect(answer.status).toBe(400);
    expect(answer.text).toContain('labels');
    const missing = await api(h.server.baseUrl, `${ISSUES}/999999`);
    expect(missing.status).toBe(404);
    expect(missing.text).toContain('ISSUE_NOT_FOUND');
  });

  it('autodev issue create|list|comment drive the same API', async () => {
    const repo = await h.newRepo(GREEN_REPO);
    const env = { AUTODEV_URL: h.server.baseUrl, AUTODEV_TOKEN: E2E_USERS.operator.token };
    const created = await runCli(
      ['issue', 'create', '--repo', repo.origin, '--title', 'CLI issue', '--label', 'docs', '--json'],
      env,
    );
    expect(created.code, created.stderr).toBe(0);
    const { issue } = JSON.parse(created.stdout) as { issue: { id: number } };
    const listed = await runCli(['issue', 'list', '--repo', repo.origin], env);
    expect(listed.code, listed.stderr).toBe(0);
    expect(listed.stdout).toContain(`#${issue.id}`);
    expect(listed.stdout).toContain('CLI issue');
    const commented = await runCli(['issue', 'comment', String(issue.id), '-m', 'just a remark'], env);
    expect(commented.code, commented.stderr).toBe(0);
    expect(commented.stdout).toContain('trigger: ignored');
    const refused = await runCli(['issue', 'comment', '999999', '-m', 'x'], env);
    expect(refused.code).toBe(1);
    expect(refused.stderr).toContain('ISSUE_NOT_FOUND');
  });
});
