import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { TERMINAL_STATUSES } from '../../src/domain/task.js';
import { api, E2E_USERS, submitTask, waitForTask, waitForTerminal } from '../helpers/api-client.js';
import { launchBrowser, openPage, seriousA11yViolations } from '../helpers/browser.js';
import { PYTHON_BUGGY_REPO } from './fixtures.js';
import { startE2E, type E2EHarness } from './harness.js';

/** Script planted in every untrusted text the page shows: it must stay text. */
const PLANT = (n: number) =>
  `<img src=x onerror="window.__xss=${n};alert(${n})"><script>window.__xss=${n}</script>`;

/** The fix of PYTHON_BUGGY_REPO, with a planted comment in the diff and planted words around it. */
const PLANTED_FIX_REPLY = [
  `Fixed it. ${PLANT(4)}`,
  '',
  '```diff',
  '--- a/calc.py',
  '+++ b/calc.py',
  '@@ -1,2 +1,3 @@',
  ' def add(a, b):',
  '-    return a - b',
  '+    # <script>window.__xss=3</script>',
  '+    return a + b',
  '```',
  '',
].join('\n');

async function signIn(page: Page, baseUrl: string): Promise<void> {
  await page.goto(baseUrl);
  await page.getByLabel('API token').fill(E2E_USERS.operator.token);
  await page.getByRole('button', { name: 'Sign in' }).click();
  await page.getByRole('heading', { name: 'Tasks', level: 1 }).waitFor();
}

async function noScriptRan(page: Page, dialogs: string[]): Promise<void> {
  expect(dialogs).toEqual([]);
  expect(await page.evaluate(() => (globalThis as unknown as { __xss?: unknown }).__xss)).toBeUndefined();
  expect(await page.locator('main img, main script').count()).toBe(0);
}

describe('the dashboard in a real browser against a real autodev', () => {
  let h: E2EHarness;
  let browser: Browser;
  beforeAll(async () => {
    [h, browser] = await Promise.all([startE2E({ max_step_retries: 1 }, { auth: true }), launchBrowser()]);
  });
  afterAll(async () => {
    await browser?.close();
    await h?.close();
  });

  it('serves the page with a strict CSP and the usual headers, and no API call works without a token', async () => {
    const page = await fetch(`${h.server.baseUrl}/`);
    expect(page.status).toBe(200);
    const csp = page.headers.get('content-security-policy') ?? '';
    expect(csp).toContain("script-src 'self'");
    expect(csp).toContain("frame-ancestors 'none'");
    expect(csp).not.toContain('unsafe-inline');
    expect(csp).not.toContain('unsafe-eval');
    expect(page.headers.get('x-content-type-options')).toBe('nosniff');
    expect(page.headers.get('referrer-policy')).toBe('no-referrer');
    const bare = await fetch(`${h.server.baseUrl}/api/v1/autodev/tasks`);
    expect(bare.status).toBe(401);
  });

  it('submits from the form, follows the task to merged live, and shows steps, log, diff and policy as text', async () => {
    const repo = await h.newRepo(PYTHON_BUGGY_REPO);
    h.model.push({ text: PLANTED_FIX_REPLY });
    const { page, dialogs } = await openPage(browser);
    await signIn(page, h.server.baseUrl);
    // The token is asked for, kept out of the URL.
    expect(page.url()).not.toContain(E2E_USERS.operator.token);

    await page.getByRole('link', { name: 'Submit a task' }).click();
    // The API's validation error appears beside the field it names.
    await page.getByLabel('Repository').fill(repo.origin);
    await page.getByRole('button', { name: 'Submit' }).click();
    await expect.poll(() => page.locator('.field-error[data-field="title"]').textContent()).toMatch(/title/);

    const title = `Fix add ${PLANT(1)}`;
    await page.getByLabel('Title').fill(title);
    await page.getByLabel('Description').fill(`add subtracts. ${PLANT(2)}`);
    await page.getByLabel('Base branch').fill('main');
    await page.getByLabel('Risk tier').selectOption('low');
    await page.getByLabel('Constraints').fill('Do not modify public API signatures');
    await page.getByLabel('Acceptance').fill('pytest passes');
    await page.getByRole('button', { name: 'Submit' }).click();

    // The task page: the title (planted markup and all) is the heading, as text.
    await expect.poll(() => page.getByRole('heading', { level: 1 }).textContent()).toBe(title);
    // Live: the status reaches merged without a reload.
    await page.locator('[data-testid="task-status"][data-status="merged"]').waitFor({ timeout: 180_000 });
    const steps = page.getByRole('region', { name: 'Steps' });
    await expect.poll(() => steps.textContent()).toContain('codegen');
    expect(await steps.textContent()).toContain('pr_merge');
    await expect
      .poll(() => page.getByRole('region', { name: 'Diff' }).textContent())
      .toContain('+    return a + b');
    expect(await page.getByRole('region', { name: 'Diff' }).textContent()).toContain(
      '<script>window.__xss=3</script>',
    );
    expect(await page.getByTestId('policy-outcome').textContent()).toMatch(/Allowed: true; fallback: no/);
    await expect.poll(() => page.getByRole('region', { name: 'Log' }).textContent()).toMatch(/passed/);
    expect(await page.getByRole('region', { name: 'Audit trail' }).textContent()).toContain('pr.merged');
    await noScriptRan(page, dialogs);
    expect(await seriousA11yViolations(page)).toEqual([]);

    // The task list shows it (the planted title as text), and the overview counts it.
    await page.getByRole('link', { name: 'Tasks' }).click();
    await page.getByRole('link', { name: title }).waitFor();
    expect(await seriousA11yViolations(page)).toEqual([]);
    await page.getByRole('link', { name: 'Overview' }).click();
    await expect.poll(() => page.getByTestId('success-rate').textContent()).toMatch(/Success rate: \d+%/);
    expect(await page.getByRole('region', { name: 'Slowest steps' }).textContent()).toContain('codegen');
    expect(await seriousA11yViolations(page)).toEqual([]);
    await noScriptRan(page, dialogs);
    await page.close();
  });

  it('updates a row of the task list live when its task changes, then cancels a running task from its page', async () => {
    const repo = await h.newRepo(PYTHON_BUGGY_REPO);
    // A slow model keeps the task running long enough to be cancelled.
    h.model.push({ text: PLANTED_FIX_REPLY, delayMs: 60_000 });
    const { page, dialogs } = await openPage(browser);
    await signIn(page, h.server.baseUrl);
    const asked = h.model.requests.length;
    const task = await submitTask(h.server.baseUrl, {
      title: 'Slow task',
      repo: repo.origin,
      risk_tier: 'low',
    });
    const row = page.getByTestId(`task-${task.id}`);
    await row.waitFor();
    // The status cell leaves queued by the every-task stream, no reload.
    await row.locator('.status:not([data-status="queued"])').waitFor({ timeout: 60_000 });

    await row.getByRole('link', { name: 'Slow task' }).click();
    // Cancel while the slow model call is in flight. Cancelled earlier (in setup), the slow reply
    // stayed queued and the next test's task got it: a minute's wait that, on a busy machine, ran the
    // approve test past its timeout (the flake).
    // Waited for by event, not by a short clock: a Python task's setup (a virtualenv, pytest from the
    // cache) can take over a minute beside a full test run, and a task that ended instead (a failed
    // setup) fails here at once with its error rather than after a timeout that says nothing.
    await waitForTask(
      h.server.baseUrl,
      task.id,
      (t) => {
        if (TERMINAL_STATUSES.has(t.status))
          throw new Error(`task ended ${t.status} before the model call: ${JSON.stringify(t.error)}`);
        return h.model.requests.length > asked;
      },
      300_000,
    );
    await page.getByRole('button', { name: 'Cancel' }).click();
    await page.locator('[data-testid="task-status"][data-status="cancelled"]').waitFor({ timeout: 60_000 });
    expect((await waitForTerminal(h.server.baseUrl, task.id)).status).toBe('cancelled');
    await noScriptRan(page, dialogs);
    await page.close();
  });

  it("approves a medium-risk task's pull request from its page; a planted review comment stays text", async () => {
    const repo = await h.newRepo(PYTHON_BUGGY_REPO);
    h.model.push({ text: PLANTED_FIX_REPLY });
    const task = await submitTask(h.server.baseUrl, {
      title: 'Medium fix',
      repo: repo.origin,
      risk_tier: 'medium',
    });
    expect((await waitForTerminal(h.server.baseUrl, task.id)).status).toBe('awaiting_review');
    const { page, dialogs } = await openPage(browser);
    await signIn(page, h.server.baseUrl);
    await page.goto(`${h.server.baseUrl}/#/tasks/${task.id}`);
    await page.getByRole('button', { name: 'Approve' }).waitFor();
    expect(await seriousA11yViolations(page)).toEqual([]);
    await page.getByLabel('Review comment').fill(`Looks good ${PLANT(5)}`);
    await page.getByRole('button', { name: 'Approve' }).click();
    await page.locator('[data-testid="task-status"][data-status="merged"]').waitFor({ timeout: 120_000 });
    await expect
      .poll(() => page.getByRole('region', { name: 'Pull request' }).textContent())
      .toContain('operator approval');
    expect(await page.getByRole('region', { name: 'Pull request' }).textContent()).toContain(PLANT(5));
    const pr = await api(h.server.baseUrl, `/api/v1/autodev/prs/${task.id}`);
    expect(pr.body).toMatchObject({ pr: { status: 'merged' } });
    await noScriptRan(page, dialogs);
    await page.close();
  });
});
