import type { Denial, PolicyEngine, PolicyInput } from './types.js';

/** Names the change added, from check_deps' names and its detailed changes alike. */
function addedDependencies(input: PolicyInput): string[] {
  const added = (input.dependency_changes ?? []).filter((d) => d.change === 'added').map((d) => d.name);
  return [...new Set([...input.new_dependencies, ...added])].sort();
}

/** What is wrong with the test results, if anything; one TESTS_FAILED denial carries them all. */
function testProblems(input: PolicyInput): string[] {
  const problems: string[] = [];
  // tests_passed is the comparison with the baseline: failures there before and after are
  // pre-existing and do not count, so the raw failed count is not a rule of its own.
  if (!input.tests_passed && !input.tests_unavailable) problems.push('the test run failed');
  // Passing by deleting tests is not passing: fewer passes than before wants a human's eye.
  if (input.tests_before && input.tests_after && input.tests_after.passed < input.tests_before.passed) {
    problems.push(
      `fewer pass after the change (${input.tests_after.passed}) than before (${input.tests_before.passed})`,
    );
  }
  return problems;
}

/**
 * The local rules: the seed's default policy and what autodev adds to it, each denial with its
 * code. They decide when no OPA server is configured and when OPA cannot; policies/autodev/merge.rego
 * implements the same rules with the same codes (a test holds the two to each other).
 */
export function localDenials(input: PolicyInput): Denial[] {
  const deny: Denial[] = [];
  const add = (code: Denial['code'], message: string) => deny.push({ code, message });

  // Nothing verified the change: a human must, and the model is not blamed for it.
  if (input.tests_unavailable) add('TESTS_UNAVAILABLE', `Tests unavailable: ${input.tests_unavailable}`);
  const tests = testProblems(input);
  if (tests.length > 0) add('TESTS_FAILED', `Tests must pass: ${[...tests].sort().join('; ')}`);
  const introduced = Math.max(input.clippy_warnings, input.lint_warnings_introduced ?? 0);
  if (introduced > 0) add('LINT_INTRODUCED', `Lint warnings must be 0 (found ${introduced})`);
  if (input.lint_unavailable?.length) {
    add('LINT_UNAVAILABLE', `Static analysis not available: ${input.lint_unavailable.join(', ')}`);
  }
  if (input.secrets_found) add('SECRETS_FOUND', 'Secrets detected in changes');
  if (input.risk_tier === 'high') add('HIGH_RISK_REVIEW', 'High-risk changes require human review');
  if (input.risk_tier === 'medium') add('MEDIUM_RISK_REVIEW', 'Medium-risk changes require human review');
  const schema = input.files_changed.filter((f) => f.toLowerCase().endsWith('.sql'));
  if (schema.length > 0) {
    add('DB_SCHEMA_CHANGE', `DB schema changes require DBA approval: ${schema.join(', ')}`);
  }
  const added = addedDependencies(input);
  if (added.length > 0) add('NEW_DEPENDENCY', `New dependencies require approval: ${added.join(', ')}`);
  // The change must not judge itself: what it did to the checks is for a human to accept.
  if (input.autodev_config_changed?.length) {
    add(
      'AUTODEV_CONFIG_CHANGED',
      `Changes to autodev's configuration require human review: ${input.autodev_config_changed.join(', ')}`,
    );
  }
  if (input.test_changes?.length) {
    add(
      'TESTS_CHANGED',
      `Changes to tests or how they run require human review: ${input.test_changes.join(', ')}`,
    );
  }
  if (input.baseline_failures_missing?.length) {
    add(
      'BASELINE_TESTS_MISSING',
      `Tests that failed before the change must pass after it; not passing: ${input.baseline_failures_missing.join(', ')}`,
    );
  }
  for (const r of input.perf_regressions ?? []) {
    add(
      'PERF_REGRESSION',
      `Performance regression in ${r.name}: ${r.ratio} times its base (${r.base} ${r.unit} to ${r.head} ${r.unit}, 95% CI ${r.ci[0]} to ${r.ci[1]}), beyond ${r.max_regression_pct}%`,
    );
  }
  for (const constraint of input.constraints ?? []) {
    if (constraint.violated !== true) continue;
    const details = constraint.details?.length ? ` (${constraint.details.join(', ')})` : '';
    add('CONSTRAINT_VIOLATED', `Constraint not met: ${constraint.text}${details}`);
  }
  // A multi-repo task's consumers: the same rules, each denial naming the repository.
  for (const r of input.repos ?? []) {
    if (!r.tests_passed) add('TESTS_FAILED', `Tests must pass in ${r.repo}: the test run failed`);
    if (r.lint_warnings_introduced > 0) {
      add('LINT_INTRODUCED', `Lint warnings must be 0 in ${r.repo} (found ${r.lint_warnings_introduced})`);
    }
    if (r.secrets_found) add('SECRETS_FOUND', `Secrets detected in changes to ${r.repo}`);
    if (r.new_dependencies.length > 0) {
      add(
        'NEW_DEPENDENCY',
        `New dependencies require approval in ${r.repo}: ${[...new Set(r.new_dependencies)].sort().join(', ')}`,
      );
    }
    if (r.autodev_config_changed.length > 0) {
      add(
        'AUTODEV_CONFIG_CHANGED',
        `Changes to autodev's configuration require human review in ${r.repo}: ${r.autodev_config_changed.join(', ')}`,
      );
    }
    if (r.test_changes.length > 0) {
      add(
        'TESTS_CHANGED',
        `Changes to tests or how they run require human review in ${r.repo}: ${r.test_changes.join(', ')}`,
      );
    }
  }
  return deny;
}

export function createLocalPolicy(): PolicyEngine {
  return {
    id: 'local',
    evaluate(input) {
      const deny = localDenials(input);
      return Promise.resolve({ allow: deny.length === 0, deny, engine: 'local' });
    },
  };
}
