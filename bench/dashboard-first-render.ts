// Time to first render of the dashboard's task list with 1,000 stored tasks, beside the JSON API
// alone (the same first page of 50). Run: npx tsx bench/dashboard-first-render.ts
// (it also writes the README's screenshots under docs/).
import Database from 'better-sqlite3';
import { performance } from 'node:perf_hooks';
import { E2E_USERS, api, submitTask, waitForTerminal } from '../test/helpers/api-client.js';
import { launchBrowser } from '../test/helpers/browser.js';
import { startE2E } from '../test/e2e/harness.js';
import { PYTHON_BUGGY_REPO } from '../test/e2e/fixtures.js';

const TASKS = 1000;
const h = await startE2E({ max_step_retries: 0 }, { auth: true });
const repo = await h.newRepo(PYTHON_BUGGY_REPO);
const first = await submitTask(h.server.baseUrl, { title: 'seed task', repo: repo.origin });
// No model reply is scripted: the task fails at its first model call and stays as the template.
await waitForTerminal(h.server.baseUrl, first.id);
// Copies of the first task's row with fresh ids (the store orders by id): 1,000 tasks without running them.
const db = new Database(`${h.dataDir}/autodev.sqlite`);
const template = db.prepare('select * from tasks where id = ?').get(first.id) as Record<string, unknown>;
const columns = Object.keys(template);
const insert = db.prepare(
  `insert into tasks (${columns.join(', ')}) values (${columns.map((c) => '@' + c).join(', ')})`,
);
db.transaction(() => {
  for (let i = 0; i < TASKS - 1; i++) {
    insert.run({
      ...template,
      id: `${first.id.slice(0, 20)}x${String(i).padStart(5, '0')}`,
      title: `task ${i}`,
    });
  }
})();
db.close();
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
