// The README's screenshots under docs/, taken with 1,000 stored tasks: npx tsx bench/dashboard-first-render.ts
// (it prints one timing too; the measured figures, side by side and repeated, are `npm run bench dashboard`).
import { performance } from 'node:perf_hooks';
import { E2E_USERS, api } from '../test/helpers/api-client.js';
import { launchBrowser } from '../test/helpers/browser.js';
import { startE2E } from '../test/e2e/harness.js';
import { seedTasks } from './lib/seed-tasks.js';

const TASKS = 1000;
const h = await startE2E({ max_step_retries: 0 }, { auth: true });
const first = { id: await seedTasks(h, TASKS) };
const base = h.server.baseUrl;
const t0 = performance.now();
const json = await api(base, '/api/v1/autodev/tasks?limit=50');
const apiMs = performance.now() - t0;
const browser = await launchBrowser();
const page = await browser.newPage();
await page.goto(base);
await page.getByLabel('API token').fill(E2E_USERS.operator.token);
await page.getByRole('button', { name: 'Sign in' }).click();
await page.locator('tbody tr').first().waitFor();
// Timed from the page's load with the token already in the tab: what a returning user sees.
const t1 = performance.now();
await page.reload();
await page.locator('tbody tr').first().waitFor();
const pageMs = performance.now() - t1;
const rows = await page.locator('tbody tr').count();
console.log(
  JSON.stringify({
    tasks: TASKS,
    api_first_page_ms: Math.round(apiMs),
    api_status: json.status,
    page_first_render_ms: Math.round(pageMs),
    rows,
  }),
);
// The README's screenshots: the list, a task, the submit form, the overview.
await page.setViewportSize({ width: 1280, height: 900 });
await page.screenshot({ path: 'docs/dashboard-tasks.png' });
for (const [hash, file] of [
  [`#/tasks/${first.id}`, 'docs/dashboard-task.png'],
  ['#/submit', 'docs/dashboard-submit.png'],
  ['#/overview', 'docs/dashboard-overview.png'],
] as const) {
  await page.goto(`${base}/${hash}`);
  await page.getByRole('heading', { level: 1 }).waitFor();
  await page.waitForTimeout(1000);
  await page.screenshot({ path: file, fullPage: hash.startsWith('#/tasks') });
}
await browser.close();
await h.close();
