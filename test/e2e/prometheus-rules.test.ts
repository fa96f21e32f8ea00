import { execFile } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { promisify } from 'node:util';
import { parse } from 'yaml';
import { describe, expect, it } from 'vitest';

const run = promisify(execFile);
const ROOT = resolve(import.meta.dirname, '../..');
const RULES = resolve(ROOT, 'deploy/prometheus/alerts.yml');

describe('deploy/prometheus/alerts.yml', () => {
  it("passes Debian prometheus's promtool check rules", async () => {
    const { stdout } = await run('promtool', ['check', 'rules', RULES]);
    expect(stdout).toMatch(/SUCCESS: 5 rules found/);
  });

  it('has a runbook section in docs/operations.md for every alert, and uses only metrics autodev emits', async () => {
    const doc = readFileSync(resolve(ROOT, 'docs/operations.md'), 'utf8');
    const rules = (
      parse(readFileSync(RULES, 'utf8')) as { groups: { rules: { alert: string; expr: string }[] }[] }
    ).groups.flatMap((g) => g.rules);
    const { createMetrics } = await import('../../src/metrics/registry.js');
    const emitted = new Set(
      (await createMetrics({ defaultMetrics: false }).registry.getMetricsAsJSON()).map((m) => m.name),
    );
    for (const rule of rules) {
      expect(doc).toContain(`### ${rule.alert}`);
      for (const metric of rule.expr.match(/autodev_[a-z_]+/g) ?? []) expect(emitted).toContain(metric);
    }
  });
});
