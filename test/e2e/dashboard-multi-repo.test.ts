import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { api, E2E_USERS, submitTask, waitForTerminal, type E2EUser } from '../helpers/api-client.js';
import { launchBrowser, openPage, seriousA11yViolations } from '../helpers/browser.js';
import { PYTHON_BUGGY_REPO } from './fixtures.js';
import {
  greetingEdit,
  NPM_LIBRARY_REPO,
  npmConsumerRepo,
  refuseMain,
  repoNameOf,
  welcomeEdit,
} from './multi-repo-fixtures.js';
import { E2E_MODEL_KEY, startE2E, type E2EHarness } from './harness.js';
import { runCli } from '../helpers/cli-process.js';

interface PrDetail {
  pull_requests: { role: string; repo: string; status: string; approvals: number }[];
}

const escaped = (s: string) => s.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&');

/** A repository path carrying markup: the page must show it as text. */
const PLANTED_DIR = '<img src=x onerror="window.__xss=1">';

describe('the task page of a multi-repo task', () => {
  let h: E2EHarness;
  let browser: Browser;
  beforeAll(async () => {
    [h, browser] = await Promise.all([startE2E({ max_step_retries: 0 }, { auth: true }), launchBrowser()]);
  });
  afterAll(async () => {
    await browser?.close();
    await h?.close();
  });

  async function openTask(page: Page, id: string, title: string, user: E2EUser = 'operator'): Promise<void> {
    await page.goto(h.server.baseUrl);
    await page.getByLabel('API token').fill(E2E_USERS[user].token);
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.getByRole('heading', { name: 'Tasks', level: 1 }).waitFor();
    await page.goto(`${h.server.baseUrl}/#/tasks/${id}`);
    await expect.poll(() => page.getByRole('heading', { level: 1 }).textContent()).toBe(title);
  }

  it('lists each repository with base branch and role, and Run again resubmits all of them', async () => {
    const library = await h.newRepo(PYTHON_BUGGY_REPO);
    const consumer = await h.newRepo(PYTHON_BUGGY_REPO);
    // Not a repository: the task fails when its clone is tried, and the page still lists it as given.
    const planted = `/srv/git/${PLANTED_DIR}/app.git`;
    const repos = [
      { repo: library.origin, base_branch: 'main', role: 'library' },
      { repo: consumer.origin, base_branch: 'main', role: 'consumer' },
      { repo: planted, base_branch: 'release/1', role: 'consumer' },
    ];
    const title = 'Rename add in the library and its users';
    const created = await submitTask(h.server.baseUrl, { title, repos });
    const ended = await waitForTerminal(h.server.baseUrl, created.id, 60_000);
    expect(ended.status).toBe('failed');
    const code = ended.error?.code ?? 'none';

    const { page, dialogs } = await openPage(browser);
    await openTask(page, created.id, title);
    const table = page.getByTestId('task-repos');
    await expect.poll(() => table.locator('tbody tr').count()).toBe(3);
    const rows = await table
      .locator('tbody tr')
      .evaluateAll((trs) => trs.map((tr) => [...tr.querySelectorAll('td')].map((td) => td.textContent)));
    expect(rows).toEqual(repos.map((r) => [r.repo, r.base_branch, r.role]));
    await expect.poll(() => page.getByTestId('task-status').textContent()).toBe('failed');
    expect(await page.getByRole('status').textContent()).toContain(code);
    expect(dialogs).toEqual([]);
    expect(await page.evaluate(() => (globalThis as unknown as { __xss?: unknown }).__xss)).toBeUndefined();
    expect(await page.locator('main img').count()).toBe(0);
    expect(await seriousA11yViolations(page)).toEqual([]);

    await page.getByRole('button', { name: 'Run again' }).click();
    await expect.poll(() => page.getByRole('alert').textContent()).toBe('Run again: done');
    // The new task has every repository, not the library alone.
    const list = await api(h.server.baseUrl, '/api/v1/autodev/tasks?limit=5');
    const newest = (list.body as { tasks: { id: string; title: string }[] }).tasks.find(
      (t) => t.title === title && t.id !== created.id,
    );
    const again = await api(h.server.baseUrl, `/api/v1/autodev/tasks/${newest?.id ?? 'none'}`);
    expect((again.body as { repos: unknown }).repos).toEqual(repos);
    await page.close();
  });

  it("shows each repository's pull request, in merge order, once the task merged", async () => {
    const library = await h.newRepo(NPM_LIBRARY_REPO);
    const consumer = await h.newRepo(await npmConsumerRepo());
    const name = repoNameOf(consumer.origin, 2);
    h.model.push(greetingEdit('hi'), welcomeEdit(name, '', "module.exports = 'hi';\n"), {
      text: 'The library and its user greet anew.',
    });
    const title = 'Greet with hi in the library and its user';
    const created = await submitTask(h.server.baseUrl, {
      title,
      repos: [
        { repo: library.origin, role: 'library' },
        { repo: consumer.origin, role: 'consumer' },
      ],
    });
    const ended = await waitForTerminal(h.server.baseUrl, created.id, 120_000);
    expect(ended.status).toBe('merged');

    const { page, dialogs } = await openPage(browser);
    await openTask(page, created.id, title);
    const table = page.getByTestId('task-pull-requests');
    await expect.poll(() => table.locator('tbody tr').count()).toBe(2);
    const rows = await table
      .locator('tbody tr')
      .evaluateAll((trs) => trs.map((tr) => [...tr.querySelectorAll('td')].map((td) => td.textContent)));
    const heads = ended.pull_requests.map((p) => p.head_commit.slice(0, 10));
    expect(rows).toEqual([
      [library.origin, 'library', ended.branch, heads[0], 'merged', '0'],
      [consumer.origin, 'consumer', ended.branch, heads[1], 'merged', '0'],
    ]);
    expect(dialogs).toEqual([]);
    expect(await seriousA11yViolations(page)).toEqual([]);
    await page.close();
  }, 180_000);

  /** A library and its user both changed by a task policy sends to review: it waits, two pull requests open. */
  async function awaitingReview(
    title: string,
    riskTier: 'medium' | 'high',
    prepareConsumer?: (origin: string) => Promise<void>,
  ) {
    const library = await h.newRepo(NPM_LIBRARY_REPO);
    const consumer = await h.newRepo(await npmConsumerRepo());
    await prepareConsumer?.(consumer.origin);
    const name = repoNameOf(consumer.origin, 2);
    h.model.push(greetingEdit('hi'), welcomeEdit(name, '', "module.exports = 'hi';\n"), {
      text: 'The library and its user greet anew.',
    });
    const created = await submitTask(h.server.baseUrl, {
      title,
      risk_tier: riskTier,
      repos: [
        { repo: library.origin, role: 'library' },
        { repo: consumer.origin, role: 'consumer' },
      ],
    });
    const waiting = await waitForTerminal(h.server.baseUrl, created.id, 120_000);
    expect(waiting.status, JSON.stringify(waiting.error)).toBe('awaiting_review');
    return { library, consumer, created, waiting };
  }

  const approve = async (id: string, user: E2EUser) => {
    const approved = await api(h.server.baseUrl, `/api/v1/autodev/prs/${id}/approve`, {
      method: 'POST',
      body: '{}',
      headers: { authorization: `Bearer ${E2E_USERS[user].token}` },
    });
    expect(approved.status, approved.text).toBe(200);
  };

  /** The cells of each row of the pull requests' table. */
  const prRows = (page: Page) =>
    page
      .getByTestId('task-pull-requests')
      .locator('tbody tr')
      .evaluateAll((trs) => trs.map((tr) => [...tr.querySelectorAll('td')].map((td) => td.textContent)));

  /** `autodev pr show` beside the server, on its config and data (the users' tokens set, as for it). */
  async function prShow(id: string, ...flags: string[]) {
    const tokens = Object.entries(E2E_USERS).map(([name, u]) => [`E2E_TOKEN_${name.toUpperCase()}`, u.token]);
    const shown = await runCli(['pr', 'show', id, '--config', h.server.configFile, ...flags], {
      E2E_MODEL_KEY,
      ...Object.fromEntries(tokens),
    });
    expect(shown.stderr).toBe('');
    return shown.stdout;
  }

  it("shows what each repository's pull request lacks while the task waits, then merged, library first, on the page and in `autodev pr show`", async () => {
    const title = 'Greet with hi in the library and its user, reviewed';
    const { library, consumer, created, waiting } = await awaitingReview(title, 'medium');
    const branch = waiting.branch ?? 'none';
    // The heads as the origins hold them, not as the API says.
    const heads = [await library.branchCommit(branch), await consumer.branchCommit(branch)];

    const { page, dialogs } = await openPage(browser);
    await openTask(page, created.id, title, 'alice');
    const state = page.getByTestId('review-state');
    const table = page.getByTestId('task-pull-requests');
    const rows = () =>
      table
        .locator('tbody tr')
        .evaluateAll((trs) => trs.map((tr) => [...tr.querySelectorAll('td')].map((td) => td.textContent)));
    await expect
      .poll(() => state.textContent())
      .toBe(
        `Waiting for approvals: ${library.origin} (library) has 0 of 1; ${consumer.origin} (consumer) has 0 of 1.`,
      );
    expect(await rows()).toEqual([
      [library.origin, 'library', branch, heads[0]?.slice(0, 10), 'open', '0 of 1: lacks 1'],
      [consumer.origin, 'consumer', branch, heads[1]?.slice(0, 10), 'open', '0 of 1: lacks 1'],
    ]);
    expect(await table.locator('tbody tr code').first().getAttribute('title')).toBe(heads[0]);
    const row = (role: string, status: string, approvals: string, origin: string, head: string | undefined) =>
      new RegExp(
        `^ {2}${role} +${status} +${escaped(approvals)} +${escaped(origin)} {2}${escaped(branch)} {2}${head?.slice(0, 10)}$`,
        'm',
      );
    const waitingText = await prShow(created.id);
    expect(waitingText).toMatch(/^approvals: 0 of 1 \(the least of its open pull requests\)$/m);
    expect(waitingText).toMatch(row('library', 'open', '0 of 1, lacks 1', library.origin, heads[0]));
    expect(waitingText).toMatch(row('consumer', 'open', '0 of 1, lacks 1', consumer.origin, heads[1]));
    expect(await seriousA11yViolations(page)).toEqual([]);

    // Approved on the page: the merge run is followed live (the page listens again once the task moves).
    await page.getByLabel('Review comment').fill('both look right');
    await page.getByRole('button', { name: 'Approve' }).click();
    await expect
      .poll(() => state.textContent(), { timeout: 120_000 })
      .toBe(`Merged, library first: ${library.origin} (library), then ${consumer.origin} (consumer).`);
    await expect.poll(() => page.getByTestId('task-status').textContent()).toBe('merged');
    expect(await rows()).toEqual([
      [library.origin, 'library', branch, heads[0]?.slice(0, 10), 'merged', '1 of 1'],
      [consumer.origin, 'consumer', branch, heads[1]?.slice(0, 10), 'merged', '1 of 1'],
    ]);
    // What the page says is what happened: both mains moved, the library's merge recorded first.
    const merged = await waitForTerminal(h.server.baseUrl, created.id, 10_000);
    expect(merged.pull_requests.map((p) => p.merge_commit)).toEqual([
      await library.branchCommit('main'),
      await consumer.branchCommit('main'),
    ]);
    const trail = await api(h.server.baseUrl, `/api/v1/autodev/tasks/${created.id}/events`);
    const types = (trail.body as { events: { type: string }[] }).events.map((e) => e.type);
    expect(types.indexOf('pr.repo_merged')).toBeGreaterThan(types.indexOf('pr.merged'));
    const mergedText = await prShow(created.id);
    expect(mergedText).toMatch(row('library', 'merged', '1 of 1', library.origin, heads[0]));
    expect(mergedText).toMatch(row('consumer', 'merged', '1 of 1', consumer.origin, heads[1]));
    expect(mergedText).toMatch(/^ {2}\S+ alice approval "both look right"$/m);
    const json = JSON.parse(await prShow(created.id, '--json')) as PrDetail;
    expect(json.pull_requests.map((p) => [p.role, p.repo, p.status, p.approvals])).toEqual([
      ['library', library.origin, 'merged', 1],
      ['consumer', consumer.origin, 'merged', 1],
    ]);
    expect(dialogs).toEqual([]);
    expect(await seriousA11yViolations(page)).toEqual([]);
    await page.close();
  }, 300_000);

  it('shows a merge that failed after approval with what was reverted', async () => {
    const title = 'Greet with hi where the user cannot merge';
    const { library, consumer, created } = await awaitingReview(title, 'medium', refuseMain);
    await approve(created.id, 'alice');
    const failed = await waitForTerminal(h.server.baseUrl, created.id, 180_000);
    expect(failed.error?.code).toBe('MULTI_REPO_MERGE_FAILED');

    const { page, dialogs } = await openPage(browser);
    await openTask(page, created.id, title);
    const state = page.getByTestId('review-state');
    await expect.poll(() => state.textContent()).toMatch(/^Merge failed, reverted: /);
    expect(await state.textContent()).toBe(
      `Merge failed, reverted: ${library.origin}. ${failed.error?.message ?? 'none'}`,
    );
    const rows = await prRows(page);
    expect(rows.map((r) => [r[0], r[1], r[4], r[5]])).toEqual([
      [library.origin, 'library', 'merged', '1 of 1'],
      [consumer.origin, 'consumer', 'open', '1 of 1'],
      [library.origin, 'revert', 'merged', '—'],
    ]);
    expect(dialogs).toEqual([]);
    expect(await seriousA11yViolations(page)).toEqual([]);
    await page.close();
  }, 300_000);

  it('shows a high-risk task approved by too few, then by enough but still waiting for its override', async () => {
    const title = 'Greet with hi at high risk';
    const { library, consumer, created } = await awaitingReview(title, 'high');
    await approve(created.id, 'alice');
    const { page, dialogs } = await openPage(browser);
    await openTask(page, created.id, title);
    const state = page.getByTestId('review-state');
    await expect
      .poll(() => state.textContent())
      .toBe(
        `Waiting for approvals: ${library.origin} (library) has 1 of 2; ${consumer.origin} (consumer) has 1 of 2.`,
      );
    expect((await prRows(page)).map((r) => r[5])).toEqual(['1 of 2: lacks 1', '1 of 2: lacks 1']);

    await approve(created.id, 'bob');
    await page.reload();
    await expect.poll(() => state.textContent()).toBe('Approved; waiting for a policy override (high risk).');
    expect((await prRows(page)).map((r) => [r[4], r[5]])).toEqual([
      ['open', '2 of 2'],
      ['open', '2 of 2'],
    ]);
    expect(dialogs).toEqual([]);
    await page.close();
  }, 300_000);
});
