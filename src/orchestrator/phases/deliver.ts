import type { PullRequest } from '../../domain/task.js';
import type { MergeResult } from '../../forges/types.js';
import { describeConstraintCheck, type ConstraintCheck } from '../../policy/constraints.js';
import { describeChecksTouched, type SensitiveChanges } from '../../policy/sensitive-changes.js';
import type { PolicyDecision } from '../../policy/types.js';
import type { TestToolOutput } from '../../tools/test.js';
import { runStep } from '../step-runner.js';
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
      body: pullRequestBody(ctx, input.decision, input.tests, input.checksTouched, input.constraints),
      head_commit: input.headCommit,
    },
  });
  const opened = await ctx.store.events
    .list(task.id)
    .then((events) => events.some((e) => e.type === 'pr.opened'));
  if (!opened) {
    ctx.metrics.prsOpenedTotal.inc();
    await ctx.store.events.append(task.id, 'pr.opened', {
      branch: pr.branch,
      url: pr.url,
      number: pr.number,
      forge: pr.forge,
    });
  }
  if (!input.decision.allow) return { merged: false, pr, reason: input.decision.deny.join('; ') };
  const merge = await runStep<MergeResult>(ctx, {
    phase: 'deliver',
    tool: 'pr_merge',
    input: { task_id: task.id },
  });
  if (!merge.merged) return { merged: false, pr, reason: merge.reason };
  ctx.metrics.mergesTotal.inc();
  await ctx.store.events.append(task.id, 'pr.merged', { merge_commit: merge.mergeCommit });
  const merged = await ctx.store.pullRequests.getByTask(task.id);
  return { merged: true, pr: merged ?? pr };
}

function pullRequestBody(
  ctx: TaskContext,
  decision: PolicyDecision,
  tests: TestToolOutput,
  checksTouched: SensitiveChanges,
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
    list(task.acceptance),
    '',
    '## Verification',
    tests.summary,
    '',
    '## Changes to checks',
    list(describeChecksTouched(checksTouched)),
    '',
    '## Policy',
    decision.allow
      ? `Allowed to merge (${decision.engine}).`
      : `Needs review (${decision.engine}):\n${list(decision.deny)}`,
    '',
    `Opened by autodev for task ${task.id}.`,
  ].join('\n');
}
