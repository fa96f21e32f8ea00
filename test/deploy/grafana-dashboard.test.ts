import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { createMetrics } from '../../src/metrics/registry.js';
import { DASHBOARD_FILE, dashboardJson } from '../../scripts/grafana-dashboard.js';
import { dashboardQueries } from '../helpers/grafana-queries.js';

describe('deploy/grafana/autodev.json', () => {
  it('is what scripts/grafana-dashboard.ts builds (run `npm run grafana:dashboard` after changing it)', async () => {
    expect(readFileSync(DASHBOARD_FILE, 'utf8')).toBe(await dashboardJson());
  });

  it('has the panels operators asked for, each with a query over metrics autodev emits', async () => {
    const queries = dashboardQueries(readFileSync(DASHBOARD_FILE, 'utf8'));
    const titles = new Set(queries.map((q) => q.panel));
    for (const title of [
      'Task rate and outcomes',
      'Task duration percentiles',
      'Step duration by tool (p90)',
      'Pull requests opened, merges and reverts',
      'Policy denials by code',
      'Model tokens',
      'Model cost per hour',
      'Queue depth and running tasks',
    ])
      expect(titles).toContain(title);
    const emitted = new Set(
      (await createMetrics({ defaultMetrics: false }).registry.getMetricsAsJSON()).map((m) => m.name),
    );
    for (const { expr } of queries) {
      const metrics = expr.match(/autodev_[a-z_]+/g) ?? [];
      expect(metrics.length, expr).toBeGreaterThan(0);
      // A histogram's series are <name>_bucket / _sum / _count.
      for (const metric of metrics)
        expect(emitted, expr).toContain(metric.replace(/_(bucket|sum|count)$/, ''));
    }
  });
});
