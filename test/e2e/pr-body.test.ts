import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { git } from '../fixtures/repo.js';
import { api, submitTask, waitForTerminal } from '../helpers/api-client.js';
import { PYTHON_BUGGY_REPO, PYTHON_FIX_REPLY } from './fixtures.js';
import { startE2E, type E2EHarness } from './harness.js';

const PUBLIC_URL = 'https://autodev.example.test/';

interface EventsBody {
  events: { type: string; data: Record<string, unknown> }[];
}

describe('the pull request autodev opens', () => {
  let h: E2EHarness;
  beforeAll(async () => {
    h = await startE2E({
      public_url: `"${PUBLIC_URL}"`,
      'git.git_author_name': '"Robo Author"',
      'git.git_author_email': '"robo@example.test"',
    });
  });
  afterAll(() => h?.close());

  it('carries the task, plan, checks table, model cost, link and labels; its commit is by the configured author', async () => {
    const repo = await h.newRepo(PYTHON_BUGGY_REPO);
    const base = await repo.branchCommit('main');
    h.model.push({ text: PYTHON_FIX_REPLY, usage: { input: 1234, output: 56 } });
    const created = await submitTask(h.server.baseUrl, {
      title: 'Fix add() | in calc',
      description: 'add(2, 3) returns -1; it must return 5.',
      repo: repo.origin,
      risk_tier: 'low',
      acceptance: ['pytest passes'],
    });
    const task = await waitForTerminal(h.server.baseUrl, created.id);
    expect(task.error).toBeNull();
    expect(task.status).toBe('merged');

    const events = (await api(h.server.baseUrl, `/api/v1/autodev/tasks/${task.id}/events`))
      .body as EventsBody;
    const opened = events.events.find((e) => e.type === 'pr.opened');
    expect(opened?.data.labels).toEqual(['autodev', 'risk:low']);
    expect(opened?.data.title).toBe('Fix add() | in calc');
    const body = String(opened?.data.body);
    const link = `https://autodev.example.test/api/v1/autodev/tasks/${task.id}`;
    expect(body).toContain(`**Task** [${task.id}](${link}): Fix add() | in calc (risk: low)`);
    expect(body).toContain('add(2, 3) returns -1; it must return 5.');
    // The plan the task ran, step by step.
    expect(body).toMatch(/## Plan\n[^\n]*\n\n1\. \*\*\w+\*\* `\w+`: /);
    // The checks table: the tests before → after, and every other check in its row.
    expect(body).toContain('| Tests | 1 passed, 1 failed → 2 passed, 0 failed |');
    expect(body).toContain('| Lint | 0 introduced, 0 pre-existing');
    expect(body).toContain('| Secrets | none found |');
    expect(body).toContain('| New dependencies | none |');
    expect(body).toMatch(/\| Policy \| allowed to merge \((local|opa:[^)]*)\) \|/);
    expect(body).toContain('1 model call(s): 1234 input + 56 output tokens');
    expect(body).toContain(`Opened by autodev for task [${task.id}](${link}).`);

    // Every commit the task made is the configured author's, as author and as committer.
    const authors = await git(repo.origin, [
      'log',
      '--format=%an <%ae>|%cn <%ce>',
      `${base ?? ''}..refs/heads/${task.branch ?? ''}`,
    ]);
    const lines = authors.trim().split('\n');
    expect(lines.length).toBeGreaterThan(0);
    for (const line of lines)
      expect(line).toBe('Robo Author <robo@example.test>|Robo Author <robo@example.test>');
  });

  it('lists in its plan the steps that ran, not the lint of a project without a linter or steps never taken', async () => {
    // The project's only linter is one the machine does not have: the lint steps run and find nothing to run.
    const repo = await h.newRepo({
      ...PYTHON_BUGGY_REPO,
      '.autodev.toml': '[commands]\nlint = ["no-such-linter", "check"]\n',
    });
    h.model.push({ text: PYTHON_FIX_REPLY });
    const created = await submitTask(h.server.baseUrl, {
      title: 'Fix add() without a linter',
      description: 'add(2, 3) returns -1; it must return 5.',
      repo: repo.origin,
      risk_tier: 'medium',
    });
    const task = await waitForTerminal(h.server.baseUrl, created.id);
    expect(task.error).toBeNull();
    expect(task.status).toBe('awaiting_review');

    const events = (await api(h.server.baseUrl, `/api/v1/autodev/tasks/${task.id}/events`))
      .body as EventsBody;
    const body = String(events.events.find((e) => e.type === 'pr.opened')?.data.body);
    const plan = body.slice(body.indexOf('## Plan'), body.indexOf('## Checks'));
    const listed = [...plan.matchAll(/^\d+\. \*\*(\w+)\*\* `(\w+)`/gm)].map((m) => `${m[1]}.${m[2]}`);
    expect(listed).toEqual(expect.arrayContaining(['implement.codegen', 'verify.test', 'decide.policy']));
    // No linter ran, no repair round was needed, and the base did not move before the body was written.
    expect(listed).not.toContain('prepare.lint');
    expect(listed).not.toContain('verify.lint');
    expect(listed.some((step) => step.startsWith('repair.'))).toBe(false);
    expect(listed).not.toContain('deliver.git_rebase');
    expect(listed).not.toContain('implement.git_revert');
    // The checks table still says the linter was not available.
    expect(body).toMatch(/\| Lint \| [^|]*unavailable: ruff \(python/);
  });
});
