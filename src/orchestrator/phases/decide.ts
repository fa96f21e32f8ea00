import { baselineFailuresNotPassing } from '../../policy/baseline-tests.js';
import type { PolicyDecision } from '../../policy/types.js';
import type { TestToolOutput } from '../../tools/test.js';
import type { ChangeChecks } from './verify.js';
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
      tests_passed: facts.tests.ok,
      clippy_warnings: facts.checks.lintWarnings.length,
      lint_unavailable: facts.checks.lintUnavailable,
      secrets_found: facts.checks.secrets.length > 0,
      files_changed: facts.filesChanged,
      // check_deps (manifest diffs per language) comes with the verification issue; until then the
      // decision says it was not checked rather than pretending there were none.
      new_dependencies: [],
      autodev_config_changed: facts.checks.sensitive.autodevConfig,
      test_changes: facts.checks.sensitive.tests,
      baseline_failures_missing: baselineMissing,
      constraints: facts.checks.constraints,
    },
  });
  await ctx.store.events.append(ctx.task.id, 'policy.decision', {
    ...decision,
    lint_warnings: facts.checks.lintWarnings.slice(0, 50),
    checks_touched: {
      autodev_config: facts.checks.sensitive.autodevConfig,
      tests: facts.checks.sensitive.tests,
    },
    baseline_failures_missing: baselineMissing,
    not_checked: ['check_deps'],
  });
  for (const reason of decision.deny) ctx.metrics.policyDenialsTotal.inc({ reason });
  return decision;
}
