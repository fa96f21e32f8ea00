import { describe, expect, it } from 'vitest';
import { createLocalPolicy } from './local.js';
import type { PolicyInput } from './types.js';

const clean: PolicyInput = {
  risk_tier: 'low',
  tests_passed: true,
  clippy_warnings: 0,
  secrets_found: false,
  files_changed: ['src/lib.rs'],
  new_dependencies: [],
};

describe('local policy (the seed rules)', () => {
  const policy = createLocalPolicy();

  it('allows a clean low-risk change', async () => {
    expect(await policy.evaluate(clean)).toEqual({ allow: true, deny: [], engine: 'local' });
  });

  it.each<[string, Partial<PolicyInput>, RegExp]>([
    ['failing tests', { tests_passed: false }, /Tests must pass/],
    ['lint warnings', { clippy_warnings: 3 }, /Lint warnings must be 0 \(found 3\)/],
    [
      'a linter that could not run',
      { lint_unavailable: ['ruff (python, .)'] },
      /Static analysis not available: ruff/,
    ],
    ['secrets', { secrets_found: true }, /Secrets detected/],
    ['high risk', { risk_tier: 'high' }, /High-risk changes require human review/],
    ['medium risk', { risk_tier: 'medium' }, /Medium-risk changes require human review/],
    ['a schema change', { files_changed: ['db/migrations/001.SQL'] }, /DBA approval/],
    ['new dependencies', { new_dependencies: ['serde'] }, /New dependencies require approval: serde/],
    [
      'a change to .autodev.toml',
      { autodev_config_changed: ['sub/.autodev.toml'] },
      /^Changes to autodev's configuration require human review: sub\/\.autodev\.toml$/,
    ],
    [
      'a change to the tests',
      { test_changes: ['tests/test_calc.py', 'package.json (scripts or test runner config)'] },
      /^Changes to tests or how they run require human review: tests\/test_calc\.py, package\.json \(scripts/,
    ],
    [
      'a test that failed at baseline and is gone',
      { baseline_failures_missing: ['tests/test_calc.py::test_add'] },
      /^Tests that failed before the change must pass after it; not passing: tests\/test_calc\.py::test_add$/,
    ],
  ])('denies %s with the reason', async (_what, change, reason) => {
    const decision = await policy.evaluate({ ...clean, ...change });
    expect(decision.allow).toBe(false);
    expect(decision.deny).toEqual([expect.stringMatching(reason)]);
  });
});
