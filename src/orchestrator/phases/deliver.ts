import { AutodevError } from '../../errors.js';
import type { EventType, PullRequest } from '../../domain/task.js';
import type { MergeResult } from '../../forges/types.js';
import { describeConstraintCheck, type ConstraintCheck } from '../../policy/constraints.js';
import { describeChecksTouched, type SensitiveChanges } from '../../policy/sensitive-changes.js';
import type { PolicyDecision } from '../../policy/types.js';
import { acceptanceChecks } from '../../planner/plan-checks.js';
import type { TestToolOutput } from '../../tools/test.js';
import { runStep } from '../step-runner.js';
import { describeLint } from './lint-summary.js';
import type { ChangeChecks } from './verify.js';
import type { TaskContext } from '../task-context.js';

export type Delivery = { merged: true; pr: PullRequest } | { merged: false; pr: PullRequest; reason: string };

/** Push, pull request, and the merge when policy allowed it. Each call is idempotent on the forge. */
export async function deliverPhase(
  ctx: TaskContext,
  input: {
    branch: string;
    headCommit: string;
    decision: PolicyDecision;
    tests: TestToolOutput;
    checksTouched: SensitiveChanges;
    lint: Pick<ChangeChecks, 'lintWarnings' | 'lintPreexisting'>;
    /** The constraints as check_constraints classified and checked them; absent: listed as given. */
    constraints?: ConstraintCheck[];
  },
): Promise<Delivery> {
  const { task } = ctx;
  await runStep(ctx, {
    phase: 'deliver',
    tool: 'git_push',
    input: { repo: task.repo, branch: input.branch },
  });
  const pr = await runStep<PullRequest>(ctx, {
    phase: 'deliver',
    tool: 'git_pr',
    input: {
      task_id: task.id,
      repo: task.repo,
      branch: input.branch,
      base_branch: task.base_branch,
      title: task.title,
      body: pullRequestBody(
        ctx,
        input.decision,
        input.tests,
        input.checksTouched,
        input.lint,
        input.constraints,
      ),
      head_commit: input.headCommit,
    },
  });
  if (!(await hasEvent(ctx, 'pr.opened'))) {
    ctx.metrics.prsOpenedTotal.inc();
    await ctx.store.events.append(task.id, 'pr.opened', {
      branch: pr.branch,
      url: pr.url,
      number: pr.number,
      forge: pr.forge,
    });
  }
  // A fallback decision never merges, even if an engine were to allow it: OPA did not decide.
  if (!input.decision.allow || input.decision.fallback === true) {
    return { merged: false, pr, reason: describeDenials(input.decision) };
  }
  // The commit point: from here a cancel is refused, and a cancel requested before it wins.
  if (!(await ctx.store.tasks.beginMerge(task.id))) {
    throw new AutodevError('TASK_CANCELLED', 'task cancelled by request before its merge');
  }
  const merge = await runStep<MergeResult>(ctx, {
    phase: 'deliver',
    tool: 'pr_merge',
    input: { task_id: task.id },
  });
  if (!merge.merged) return { merged: false, pr, reason: merge.reason };
  // A resumed task reuses the merge's checkpoint: the merge is counted and recorded once.
  if (!(await hasEvent(ctx, 'pr.merged'))) {
    ctx.metrics.mergesTotal.inc();
    await ctx.store.events.append(task.id, 'pr.merged', { merge_commit: merge.mergeCommit });
  }
  const merged = await ctx.store.pullRequests.getByTask(task.id);
  return { merged: true, pr: merged ?? pr };
}

async function hasEvent(ctx: TaskContext, type: EventType): Promise<boolean> {
  return (await ctx.store.events.list(ctx.task.id)).some((e) => e.type === type);
}

/** The denials as one line, each with its code, for the task's awaiting_review reason. */
function describeDenials(decision: PolicyDecision): string {
  const denials = decision.deny.map((d) => `${d.code}: ${d.message}`);
  return denials.length > 0 ? denials.join('; ') : 'POLICY_FALLBACK: OPA could not decide';
}

/** Failures that were there before the change: shown, so a reviewer knows they are not its doing. */
function preexistingSection(tests: TestToolOutput): string[] {
  const c = tests.comparison;
  const lines: string[] = [];
  if (c?.unavailable) lines.push('', `Tests unavailable before the change: ${c.unavailable}`);
  if (c?.preexisting.length) {
    lines.push(
      '',
      'Pre-existing failures (failing before the change too):',
      ...c.preexisting.map((n) => `- ${n}`),
    );
  }
  return lines;
}

/** Exported for review rounds, which replace the body with the newest round's checks. */
export function pullRequestBody(
  ctx: TaskContext,
  decision: PolicyDecision,
  tests: TestToolOutput,
  checksTouched: SensitiveChanges,
  lint: Pick<ChangeChecks, 'lintWarnings' | 'lintPreexisting'>,
  constraints: ConstraintCheck[] | undefined,
): string {
  const { task } = ctx;
  const list = (items: string[]) => (items.length ? items.map((i) => `- ${i}`).join('\n') : '- (none)');
  return [
    task.description,
    '',
    '## Constraints',
    list(constraints ? constraints.map(describeConstraintCheck) : task.constraints),
    '',
    '## Acceptance',
    list(acceptanceChecks(task)),
    '',
    '## Verification',
    tests.summary,
    ...preexistingSection(tests),
    '',
    '## Lint',
    describeLint(lint.lintWarnings, lint.lintPreexisting.length),
    '',
    '## Changes to checks',
    list(describeChecksTouched(checksTouched)),
    '',
    '## Policy',
    decision.allow
      ? `Allowed to merge (${decision.engine}).`
      : `Needs review (${decision.engine}${decision.fallback ? `, fallback: ${decision.reason ?? 'OPA could not decide'}` : ''}):\n${list(decision.deny.map((d) => `${d.code}: ${d.message}`))}`,
    '',
    `Opened by autodev for task ${task.id}.`,
  ].join('\n');
}
