import { baselineFailuresNotPassing } from '../../policy/baseline-tests.js';
import type { PolicyDecision } from '../../policy/types.js';
import type { TestToolOutput } from '../../tools/test.js';
import { verdictOf, type ChangeChecks } from './verify.js';
import { runStep } from '../step-runner.js';
import type { TaskContext } from '../task-context.js';

/** Asks policy whether the change may merge itself; every decision lands in the audit trail. */
export async function decidePhase(
  ctx: TaskContext,
  facts: {
    tests: TestToolOutput;
    /** The test run before any change (prepare): its failures must pass now. */
    baseline: TestToolOutput;
    filesChanged: string[];
    checks: ChangeChecks;
  },
): Promise<PolicyDecision> {
  const baselineMissing = baselineFailuresNotPassing(facts.baseline.reports, facts.tests.reports);
  const decision = await runStep<PolicyDecision>(ctx, {
    phase: 'decide',
    tool: 'policy_local',
    input: {
      risk_tier: ctx.task.risk_tier,
      // Passed against the baseline: pre-existing failures do not count (languages/test-comparison.ts).
      tests_passed: verdictOf(facts.tests) === 'pass',
      ...(facts.tests.comparison?.verdict === 'unavailable'
        ? { tests_unavailable: facts.tests.comparison.unavailable ?? 'the tests could not run' }
        : {}),
      clippy_warnings: facts.checks.lintWarnings.length,
      lint_warnings_introduced: facts.checks.lintWarnings.length,
      lint_warnings_preexisting: facts.checks.lintPreexisting.length,
      lint_unavailable: facts.checks.lintUnavailable,
      secrets_found: facts.checks.secrets.length > 0,
      files_changed: facts.filesChanged,
      // check_deps (manifest diffs per language) comes with the verification issue; until then the
      // decision says it was not checked rather than pretending there were none.
      new_dependencies: [],
      autodev_config_changed: facts.checks.sensitive.autodevConfig,
      test_changes: facts.checks.sensitive.tests,
      baseline_failures_missing: baselineMissing,
    },
  });
  await ctx.store.events.append(ctx.task.id, 'policy.decision', {
    ...decision,
    lint_warnings: facts.checks.lintWarnings.slice(0, 50),
    lint_warnings_preexisting: facts.checks.lintPreexisting.length,
    checks_touched: {
      autodev_config: facts.checks.sensitive.autodevConfig,
      tests: facts.checks.sensitive.tests,
    },
    baseline_failures_missing: baselineMissing,
    tests_preexisting: facts.tests.comparison?.preexisting ?? [],
    ...(facts.tests.comparison?.unavailable ? { tests_unavailable: facts.tests.comparison.unavailable } : {}),
    not_checked: ['check_deps'],
  });
  for (const reason of decision.deny) ctx.metrics.policyDenialsTotal.inc({ reason });
  return decision;
}
