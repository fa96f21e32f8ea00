import type { PolicyDecision } from '../../policy/types.js';
import type { ChangeChecks } from './verify.js';
import { runStep } from '../step-runner.js';
import type { TaskContext } from '../task-context.js';

/** Asks policy whether the change may merge itself; every decision lands in the audit trail. */
export async function decidePhase(
  ctx: TaskContext,
  facts: { testsPassed: boolean; filesChanged: string[]; checks: ChangeChecks },
): Promise<PolicyDecision> {
  const decision = await runStep<PolicyDecision>(ctx, {
    phase: 'decide',
    tool: 'policy_local',
    input: {
      risk_tier: ctx.task.risk_tier,
      tests_passed: facts.testsPassed,
      clippy_warnings: facts.checks.lintWarnings.length,
      lint_unavailable: facts.checks.lintUnavailable,
      secrets_found: facts.checks.secrets.length > 0,
      files_changed: facts.filesChanged,
      // check_deps (manifest diffs per language) comes with the verification issue; until then the
      // decision says it was not checked rather than pretending there were none.
      new_dependencies: [],
    },
  });
  await ctx.store.events.append(ctx.task.id, 'policy.decision', {
    ...decision,
    lint_warnings: facts.checks.lintWarnings.slice(0, 50),
    not_checked: ['check_deps'],
  });
  for (const reason of decision.deny) ctx.metrics.policyDenialsTotal.inc({ reason });
  return decision;
}
