/**
 * The dashboard's weight and speed, side by side with what it stands on:
 * - page weight: the JS and CSS the page loads, gzip beside raw (as served from /assets/);
 * - time to first render of the task list with 1,000 stored tasks (a reload with the token in the
 *   tab, until the first row shows) beside the JSON API call alone for the same first page of 50.
 */
import { performance } from 'node:perf_hooks';
import { gzipSync } from 'node:zlib';
import { E2E_USERS, as } from '../test/helpers/api-client.js';
import { launchBrowser } from '../test/helpers/browser.js';
import { startE2E } from '../test/e2e/harness.js';
import { seedTasks } from './lib/seed-tasks.js';
import type { BenchRow } from './types.js';

const TASKS = 1000;
const RUNS = 7;
const WARMUP = 2;

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? (sorted[mid] ?? 0) : ((sorted[mid - 1] ?? 0) + (sorted[mid] ?? 0)) / 2;
}

async function assetWeights(base: string): Promise<BenchRow[]> {
  const html = await (await fetch(`${base}/`)).text();
  const assets = [...html.matchAll(/(?:src|href)="(\/assets\/[^"]+)"/g)].map((m) => m[1] ?? '');
  const rows: BenchRow[] = [];
  for (const kind of ['js', 'css'] as const) {
    const bytes = Buffer.concat(
      await Promise.all(
        assets
          .filter((a) => a.endsWith(`.${kind}`))
          .map(async (a) => Buffer.from(await (await fetch(base + a)).arrayBuffer())),
      ),
    );
    const gzip = gzipSync(bytes, { level: 9 }).length;
    rows.push({
      name: `dashboard ${kind.toUpperCase()}, gzip -9`,
      baseline: 'raw (minified)',
      value: gzip / 1024,
      baselineValue: bytes.length / 1024,
      unit: 'KiB',
      ratio: gzip / bytes.length,
      runs: 1,
      notes: `${gzip} B gzip, ${bytes.length} B raw`,
    });
  }
  return rows;
}

export async function bench(): Promise<BenchRow[]> {
  const h = await startE2E({ max_step_retries: 0 }, { auth: true });
  const browser = await launchBrowser();
  try {
    await seedTasks(h, TASKS);
    const base = h.server.baseUrl;
    const rows = await assetWeights(base);

    const apiTimes: number[] = [];
    for (let i = 0; i < WARMUP + RUNS; i++) {
      const started = performance.now();
      const response = await fetch(`${base}/api/v1/autodev/tasks?limit=50`, { headers: as('operator') });
      const body = (await response.json()) as { tasks?: unknown[] };
      if (!response.ok || body.tasks?.length !== 50) throw new Error(`task list answered ${response.status}`);
      if (i >= WARMUP) apiTimes.push(performance.now() - started);
    }

    const page = await browser.newPage();
    await page.goto(base);
    await page.getByLabel('API token').fill(E2E_USERS.operator.token);
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.locator('tbody tr').first().waitFor();
    const pageTimes: number[] = [];
    const dataTimes: number[] = [];
    for (let i = 0; i < WARMUP + RUNS; i++) {
      // A returning user: the token is in the tab; from the reload to the first row on screen.
      const started = performance.now();
      await page.reload();
      await page.locator('tbody tr').first().waitFor();
      const elapsed = performance.now() - started;
      // Where the page's own list call ended, in ms from its navigation (Resource Timing).
      const listArrived = Number(
        await page.evaluate(
          "performance.getEntriesByType('resource').find((e) => e.name.includes('/api/v1/autodev/tasks?'))?.responseEnd",
        ),
      );
      if (i >= WARMUP) {
        pageTimes.push(elapsed);
        dataTimes.push(listArrived);
      }
      if ((await page.locator('tbody tr').count()) !== 50) throw new Error('the list did not show 50 rows');
    }
    const pageMs = median(pageTimes);
    const apiMs = median(apiTimes);
    rows.push({
      name: `task list first render, ${TASKS} tasks (reload to first row)`,
      baseline: 'GET /tasks?limit=50 alone',
      value: pageMs,
      baselineValue: apiMs,
      unit: 'ms',
      ratio: pageMs / apiMs,
      runs: RUNS,
      notes: `Chromium headless, loopback, first page of 50; the page's list call ended at ${median(dataTimes).toFixed(0)} ms of its load`,
    });
    return rows;
  } finally {
    await browser.close();
    await h.close();
  }
}
