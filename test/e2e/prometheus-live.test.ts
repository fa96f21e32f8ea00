import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { parse } from 'yaml';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { api, submitTask, waitForTerminal, type TaskJson } from '../helpers/api-client.js';
import { dashboardQueries } from '../helpers/grafana-queries.js';
import { startPrometheus, type PrometheusServer } from '../helpers/prometheus-server.js';
import { PYTHON_BUGGY_REPO, PYTHON_FIX_REPLY } from './fixtures.js';
import { startE2E, type E2EHarness } from './harness.js';
import { ADD_SUB_REPLY, GREEN_REPO } from './task-journey.js';

const ROOT = resolve(import.meta.dirname, '../..');
const DASHBOARD = readFileSync(resolve(ROOT, 'deploy/grafana/autodev.json'), 'utf8');
const ALERTS = (
  parse(readFileSync(resolve(ROOT, 'deploy/prometheus/alerts.yml'), 'utf8')) as {
    groups: { rules: { alert: string; expr: string }[] }[];
  }
).groups.flatMap((g) => g.rules);

/**
 * Grafana replaces $__rate_interval (at least four scrape intervals) before it sends a query; the
 * Prometheus API does not know it. Five minutes covers this whole test, so a rate sees every task.
 */
const asPrometheusQuery = (expr: string) => expr.replaceAll('$__rate_interval', '5m');

/** The metric selectors of an expression: `name` or `name{labels}` (labels hold no braces). */
const selectors = (expr: string) => expr.match(/autodev_[a-z_]+(?:\{[^{}]*\})?/g) ?? [];

/** Polls until `expr` returns a series: Prometheus's own answer says the scrape happened. */
async function scraped(prometheus: PrometheusServer, expr: string, what: string): Promise<void> {
  const deadline = Date.now() + 60_000;
  while ((await prometheus.query(expr)).result.length === 0) {
    if (Date.now() > deadline) throw new Error(`no ${what} within 60 s (${expr})`);
    await new Promise((r) => setTimeout(r, 250));
  }
}

describe('Prometheus scraping a real autodev that ran tasks: every panel and alert has data', () => {
  let h: E2EHarness;
  let prometheus: PrometheusServer;
  const tasks: Record<string, TaskJson> = {};

  beforeAll(async () => {
    h = await startE2E({ max_step_retries: 0 }, { auth: true });
    // /metrics is served without a token (docs/operations.md): Prometheus scrapes it as it is.
    expect((await fetch(`${h.server.baseUrl}/metrics`)).status).toBe(200);
    // Scraping starts before the tasks run, so rates and histogram quantiles see them happen.
    prometheus = await startPrometheus(new URL(h.server.baseUrl).host);
    await scraped(prometheus, 'up{job="autodev"} == 1', 'a first scrape of autodev');

    const run = async (name: string, task: Record<string, unknown>) => {
      const created = await submitTask(h.server.baseUrl, task);
      tasks[name] = await waitForTerminal(h.server.baseUrl, created.id);
    };
    // One at a time: the scripted model answers in order.
    // A change whose revert passes the tests too (adding `sub`), so the revert merges as well.
    const merged = await h.newRepo(GREEN_REPO);
    h.model.push({ text: ADD_SUB_REPLY, usage: { input: 1200, output: 80 } });
    await run('merged', { title: 'Add sub (low risk)', repo: merged.origin, risk_tier: 'low' });
    // Medium risk: policy holds it for review with a denial.
    const held = await h.newRepo(PYTHON_BUGGY_REPO);
    h.model.push({ text: PYTHON_FIX_REPLY, usage: { input: 900, output: 60 } });
    await run('held', { title: 'Fix add (medium risk)', repo: held.origin, risk_tier: 'medium' });
    // No reply scripted: the model call fails and the task ends failed.
    const failing = await h.newRepo(PYTHON_BUGGY_REPO);
    await run('failed', { title: 'Fix add (model down)', repo: failing.origin, risk_tier: 'low' });
    // A revert of the merged task, merged itself (low risk).
    const revert = await api(h.server.baseUrl, `/api/v1/autodev/tasks/${tasks['merged']?.id}/revert`, {
      method: 'POST',
    });
    tasks['revert'] = await waitForTerminal(h.server.baseUrl, (revert.body as TaskJson).id);

    // Wait for a scrape taken after the last task ended (the revert is the last series to move).
    await scraped(prometheus, 'autodev_reverts_total >= 1', 'a scrape after the tasks');
  }, 600_000);

  afterAll(async () => {
    await prometheus?.close();
    await h?.close();
  });

  it('ran the tasks the series come from', () => {
    expect(tasks['merged']?.status).toBe('merged');
    expect(tasks['held']?.status).toBe('awaiting_review');
    expect(tasks['failed']?.status).toBe('failed');
    expect(tasks['revert']?.status).toBe('merged');
  });

  it('returns at least one series for every panel query of deploy/grafana/autodev.json', async () => {
    const queries = dashboardQueries(DASHBOARD);
    expect(queries.length).toBeGreaterThan(10);
    const empty: string[] = [];
    for (const { panel, expr } of queries) {
      const answer = await prometheus.query(asPrometheusQuery(expr));
      expect(answer.error, `${panel}: ${expr}`).toBeUndefined();
      if (answer.result.length === 0) empty.push(`${panel}: ${expr}`);
    }
    expect(empty).toEqual([]);
    // The tasks show in the numbers, not only as series at zero.
    const value = async (expr: string) =>
      Number((await prometheus.query(asPrometheusQuery(expr))).result[0]?.value[1]);
    expect(await value('sum(increase(autodev_merges_total[1h]))')).toBeGreaterThan(0);
    // Tokens, not dollars: the scripted model's name has no list price, so its cost is 0 USD.
    expect(
      await value(
        'sum by (direction) (rate(autodev_model_tokens_total{direction="input"}[$__rate_interval]))',
      ),
    ).toBeGreaterThan(0);
    expect(
      await value(
        'histogram_quantile(0.5, sum by (le) (rate(autodev_task_duration_seconds_bucket[$__rate_interval])))',
      ),
    ).toBeGreaterThan(0);
  });

  it('evaluates every alert of deploy/prometheus/alerts.yml, and each of its metric selectors has a series', async () => {
    // An alert's expression ends in a threshold, so it returns series only while firing; in a healthy
    // test run it rightly returns none. What can be asserted is that Prometheus evaluates it without
    // error and that every metric it reads exists (else the alert could never fire: the "No data" of alerts).
    expect(ALERTS.length).toBe(5);
    for (const rule of ALERTS) {
      const answer = await prometheus.query(rule.expr);
      expect(answer, rule.alert).toMatchObject({ status: 'success' });
      const found = selectors(rule.expr);
      expect(found.length, rule.alert).toBeGreaterThan(0);
      for (const selector of found) {
        const series = await prometheus.query(selector);
        expect(series.result.length, `${rule.alert}: ${selector}`).toBeGreaterThan(0);
      }
    }
  });
});
