import { describe, expect, it } from 'vitest';
import { createLocalPolicy } from './local.js';
import type { DenyCode, PolicyInput } from './types.js';

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

  it.each<[string, Partial<PolicyInput>, DenyCode, RegExp]>([
    ['failing tests', { tests_passed: false }, 'TESTS_FAILED', /Tests must pass/],
    [
      'tests that could not run',
      { tests_passed: false, tests_unavailable: 'python (.): collection failure' },
      'TESTS_UNAVAILABLE',
      /Tests unavailable: python \(\.\): collection failure/,
    ],
    [
      'fewer passing tests than before',
      { tests_before: { passed: 5, failed: 0 }, tests_after: { passed: 4, failed: 0 } },
      'TESTS_FAILED',
      /fewer pass after the change \(4\) than before \(5\)/,
    ],
    ['lint warnings', { clippy_warnings: 3 }, 'LINT_INTRODUCED', /Lint warnings must be 0 \(found 3\)/],
    [
      'introduced lint warnings',
      { lint_warnings_introduced: 2, lint_warnings_preexisting: 7 },
      'LINT_INTRODUCED',
      /found 2/,
    ],
    [
      'a linter that could not run',
      { lint_unavailable: ['ruff (python, .)'] },
      'LINT_UNAVAILABLE',
      /Static analysis not available: ruff/,
    ],
    ['secrets', { secrets_found: true }, 'SECRETS_FOUND', /Secrets detected/],
    ['high risk', { risk_tier: 'high' }, 'HIGH_RISK_REVIEW', /High-risk changes require human review/],
    [
      'medium risk',
      { risk_tier: 'medium' },
      'MEDIUM_RISK_REVIEW',
      /Medium-risk changes require human review/,
    ],
    [
      'a schema change',
      { files_changed: ['db/migrations/001.SQL'] },
      'DB_SCHEMA_CHANGE',
      /DBA approval: db\/migrations\/001\.SQL/,
    ],
    [
      'new dependencies',
      { new_dependencies: ['serde'] },
      'NEW_DEPENDENCY',
      /New dependencies require approval: serde/,
    ],
    [
      'a dependency check_deps saw added',
      {
        dependency_changes: [
          {
            ecosystem: 'npm',
            name: 'left-pad',
            change: 'added',
            to: '1.3.0',
            direct: true,
            dev: false,
            manifest: 'package.json',
          },
        ],
      },
      'NEW_DEPENDENCY',
      /left-pad/,
    ],
    [
      'a violated constraint',
      {
        constraints: [
          {
            text: 'No new external dependencies',
            kind: 'no_new_dependencies',
            violated: true,
            details: ['requests'],
          },
        ],
      },
      'CONSTRAINT_VIOLATED',
      /^Constraint not met: No new external dependencies \(requests\)$/,
    ],
    [
      'a change to .autodev.toml',
      { autodev_config_changed: ['sub/.autodev.toml'] },
      'AUTODEV_CONFIG_CHANGED',
      /^Changes to autodev's configuration require human review: sub\/\.autodev\.toml$/,
    ],
    [
      'a change to the tests',
      { test_changes: ['tests/test_calc.py', 'package.json (scripts or test runner config)'] },
      'TESTS_CHANGED',
      /^Changes to tests or how they run require human review: tests\/test_calc\.py, package\.json \(scripts/,
    ],
    [
      'a test that failed at baseline and is gone',
      { baseline_failures_missing: ['tests/test_calc.py::test_add'] },
      'BASELINE_TESTS_MISSING',
      /^Tests that failed before the change must pass after it; not passing: tests\/test_calc\.py::test_add$/,
    ],
  ])('denies %s with its code and the reason', async (_what, change, code, reason) => {
    const decision = await policy.evaluate({ ...clean, ...change });
    expect(decision.allow).toBe(false);
    expect(decision.deny).toEqual([{ code, message: expect.stringMatching(reason) }]);
  });

  it('allows what is not a denial: pre-existing lint warnings, unchecked or met constraints, removed dependencies', async () => {
    const decision = await policy.evaluate({
      ...clean,
      lint_warnings_introduced: 0,
      lint_warnings_preexisting: 12,
      tests_before: { passed: 1, failed: 1 },
      tests_after: { passed: 2, failed: 0 },
      constraints: [
        { text: 'Keep it small', kind: 'unchecked' },
        { text: 'Do not modify public API signatures', kind: 'no_public_api_change', violated: false },
      ],
      dependency_changes: [
        {
          ecosystem: 'cargo',
          name: 'rand',
          change: 'removed',
          from: '0.8.5',
          direct: true,
          dev: false,
          manifest: 'Cargo.toml',
        },
      ],
    });
    expect(decision).toEqual({ allow: true, deny: [], engine: 'local' });
  });
});
