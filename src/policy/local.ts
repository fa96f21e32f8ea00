import type { PolicyEngine } from './types.js';

/**
 * The seed's default local rules, the fallback when no OPA server is configured: tests pass, no lint
 * warnings, no secrets, no new dependencies, no schema change, and only low-risk work merges itself;
 * and a change that touched autodev's configuration or the tests, or lost a test that failed at
 * baseline, waits for a human.
 */
export function createLocalPolicy(): PolicyEngine {
  return {
    id: 'local',
    evaluate(input) {
      const deny: string[] = [];
      // TESTS_UNAVAILABLE: nothing verified the change, so a human must (and the model is not blamed).
      if (input.tests_unavailable) deny.push(`Tests unavailable: ${input.tests_unavailable}`);
      else if (!input.tests_passed) deny.push('Tests must pass');
      if (input.clippy_warnings > 0) deny.push(`Lint warnings must be 0 (found ${input.clippy_warnings})`);
      if (input.lint_unavailable?.length)
        deny.push(`Static analysis not available: ${input.lint_unavailable.join(', ')}`);
      if (input.secrets_found) deny.push('Secrets detected in changes');
      if (input.risk_tier === 'high') deny.push('High-risk changes require human review');
      if (input.risk_tier === 'medium') deny.push('Medium-risk changes require human review');
      if (input.files_changed.some((f) => f.toLowerCase().endsWith('.sql'))) {
        deny.push('DB schema changes require DBA approval');
      }
      if (input.new_dependencies.length > 0) {
        deny.push(`New dependencies require approval: ${input.new_dependencies.join(', ')}`);
      }
      // The change must not judge itself: what it did to the checks is for a human to accept.
      if (input.autodev_config_changed?.length) {
        deny.push(
          `Changes to autodev's configuration require human review: ${input.autodev_config_changed.join(', ')}`,
        );
      }
      if (input.test_changes?.length) {
        deny.push(`Changes to tests or how they run require human review: ${input.test_changes.join(', ')}`);
      }
      if (input.baseline_failures_missing?.length) {
        deny.push(
          `Tests that failed before the change must pass after it; not passing: ${input.baseline_failures_missing.join(', ')}`,
        );
      }
      return Promise.resolve({ allow: deny.length === 0, deny, engine: 'local' });
    },
  };
}
