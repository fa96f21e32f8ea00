import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createRedactor } from '../../src/secrets/redact.js';
import { openSqliteStore } from '../../src/store/index.js';
import { api, E2E_USERS, submitTask, waitForTerminal } from '../helpers/api-client.js';
import { launchBrowser, openPage } from '../helpers/browser.js';
import { PYTHON_BUGGY_REPO } from './fixtures.js';
import { startE2E, type E2EHarness } from './harness.js';

const STEPS = 2000;
/** 10,000 chunks of 2 KiB: a 20 MB command log. */
const LOG_CHUNKS = 10_000;
const CHUNK_LINES = 20;

/** Chunk n of the log: 20 lines of about 100 characters, each naming its chunk (deterministic, no randomness). */
const chunk = (n: number) =>
  Array.from(
    { length: CHUNK_LINES },
    (_, line) => `chunk-${String(n).padStart(5, '0')} line ${line} ${'x'.repeat(80)}\n`,
  ).join('');

/**
 * Steps and log lines come only from running tools, and the test tool keeps just its output's tail:
 * no public means makes 2,000 steps or 20 MB of log. So the task is made through the API (it fails
 * at its first model call) and its steps and log are added with the store API the server itself uses,
 * while the server is stopped, into its data_dir.
 */
async function seedLargeTask(dataDir: string, taskId: string): Promise<void> {
  const store = await openSqliteStore({ dataDir, redact: createRedactor([]) });
  try {
    for (let i = 1; i <= STEPS; i += 1) {
      const key = `verify.test#${i}`;
      await store.steps.start({
        task_id: taskId,
        key,
        phase: 'verify',
        tool: 'test',
        input_summary: `run ${i}`,
      });
      await store.steps.finish(taskId, key, {
        status: 'succeeded',
        attempts: 1,
        output_summary: `step ${i} passed`,
        duration_ms: i,
      });
    }
    for (let n = 1; n <= LOG_CHUNKS; n += 1)
      await store.logs.append(taskId, `verify.test#${n % STEPS}`, 'stdout', chunk(n));
  } finally {
    await store.close();
  }
}

describe('the task page of a task with 2,000 steps and a 20 MB log stays bounded and pages', () => {
  let h: E2EHarness;
  let browser: Browser;
  let taskId = '';
  // The task's own steps and log chunks (its setup ran before the model call failed) come first.
  let ownSteps = 0;
  let ownChunks = 0;
  beforeAll(async () => {
    [h, browser] = await Promise.all([startE2E({ max_step_retries: 0 }, { auth: true }), launchBrowser()]);
    const repo = await h.newRepo(PYTHON_BUGGY_REPO);
    const task = await submitTask(h.server.baseUrl, { title: 'A very long task', repo: repo.origin });
    taskId = task.id;
    ownSteps = (await waitForTerminal(h.server.baseUrl, taskId)).steps.length;
    const ownLog = await api(h.server.baseUrl, `/api/v1/autodev/tasks/${taskId}/logs?limit=1000`);
    ownChunks = (ownLog.body as { logs: unknown[] }).logs.length;
    expect(ownChunks).toBeLessThan(200);
    await h.restart({ graceful: true, whileDown: () => seedLargeTask(h.dataDir, taskId) });
  }, 300_000);
  afterAll(async () => {
    await browser?.close();
    await h?.close();
  });

  async function openTask(page: Page): Promise<string[]> {
    const logRequests: string[] = [];
    page.on('request', (request) => {
      if (request.url().includes(`/tasks/${taskId}/logs`)) logRequests.push(request.url());
    });
    await page.goto(h.server.baseUrl);
    await page.getByLabel('API token').fill(E2E_USERS.operator.token);
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.getByRole('heading', { name: 'Tasks', level: 1 }).waitFor();
    await page.goto(`${h.server.baseUrl}/#/tasks/${taskId}`);
    await expect.poll(() => page.getByRole('heading', { level: 1 }).textContent()).toBe('A very long task');
    return logRequests;
  }

  it('shows 100 steps a page out of 2,000, and pages through them', async () => {
    const { page } = await openPage(browser);
    await openTask(page);
    const steps = page.getByRole('region', { name: 'Steps' });
    const pages = Math.ceil((STEPS + ownSteps) / 100);
    await steps.getByText(`page 1 of ${pages}`).waitFor();
    expect(await steps.locator('tbody tr').count()).toBe(100);
    expect(await steps.locator('tbody tr').first().locator('td').first().textContent()).toBe('1');

    await page.getByRole('button', { name: 'Next page of steps' }).click();
    await steps.getByText(`page 2 of ${pages}`).waitFor();
    expect(await steps.locator('tbody tr').count()).toBe(100);
    expect(await steps.locator('tbody tr').first().locator('td').first().textContent()).toBe('101');
    expect(await steps.locator('tbody tr').first().textContent()).toContain(`verify.test#${101 - ownSteps}`);
    await page.getByRole('button', { name: 'Previous page of steps' }).click();
    await steps.getByText(`page 1 of ${pages}`).waitFor();
    await page.close();
  });

  it('reads the 20 MB log a page of 200 chunks at a time, never whole, and pages through it', async () => {
    const { page } = await openPage(browser);
    const logRequests = await openTask(page);
    const log = page.getByRole('region', { name: 'Log' });
    const chunks = log.locator('pre span');
    await log.getByText('chunks 1–200').waitFor();
    expect(await chunks.count()).toBe(200);
    const seeded = (n: number) => `chunk-${String(n).padStart(5, '0')} line`;
    expect(await chunks.nth(ownChunks).textContent()).toContain(`${seeded(1)} 0`);
    expect(await chunks.last().textContent()).toContain(`${seeded(200 - ownChunks)} 19`);
    // What the browser asked for: a page and the one-chunk look past it, not the 10,000 chunks.
    const asked = logRequests.reduce((sum, url) => sum + Number(new URL(url).searchParams.get('limit')), 0);
    expect(asked).toBeLessThanOrEqual(2 * 201);
    // The whole page's text stays a page of log (about 400 KB), not 20 MB.
    const textLength = (await page.locator('body').textContent())?.length ?? 0;
    expect(textLength).toBeLessThan(1_000_000);

    await page.getByRole('button', { name: 'Next page of log' }).click();
    await log.getByText('chunks 201–400').waitFor();
    expect(await chunks.count()).toBe(200);
    expect(await chunks.first().textContent()).toContain(`${seeded(201 - ownChunks)} 0`);
    await page.getByRole('button', { name: 'Previous page of log' }).click();
    await log.getByText('chunks 1–200').waitFor();
    expect(await chunks.nth(ownChunks).textContent()).toContain(`${seeded(1)} 0`);
    expect(await page.getByRole('button', { name: 'Previous page of log' }).isDisabled()).toBe(true);
    await page.close();
  });
});
