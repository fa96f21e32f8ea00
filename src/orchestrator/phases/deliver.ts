import { AutodevError } from '../../errors.js';
import type { EventType, PullRequest } from '../../domain/task.js';
import type { MergeResult } from '../../forges/types.js';
import type { ConstraintCheck } from '../../policy/constraints.js';
import { describeChecksTouched, type SensitiveChanges } from '../../policy/sensitive-changes.js';
import type { PolicyDecision } from '../../policy/types.js';
import type { TestToolOutput } from '../../tools/test.js';
import { countMerge } from '../../metrics/outcomes.js';
import { updateWaitingPullRequests } from '../base-update.js';
import { runStep } from '../step-runner.js';
import { modelUsageOf, renderPullRequestBody } from './pr-body.js';
import { syncWithBase } from './rebase.js';
import { stepsThatApplied } from './steps-run.js';
import type { ChangeChecks } from './verify.js';
import type { TaskContext } from '../task-context.js';
import {
  changedConsumers,
  mergeConsumers,
  openConsumerPullRequests,
  plannedPullRequests,
  pushConsumers,
  relatedPullRequestsSection,
} from './deliver-repos.js';

export type Delivery = { merged: true; pr: PullRequest } | { merged: false; pr: PullRequest; reason: string };

/** What the pull request's description is made of: the newest round's checks and decision. */
export interface PullRequestFacts {
  decision: PolicyDecision;
  tests: TestToolOutput;
  checksTouched: SensitiveChanges;
  /** The lint findings, and (when the caller has them) the secrets and dependency checks. */
  lint: Pick<ChangeChecks, 'lintWarnings' | 'lintPreexisting'> &
    Partial<Pick<ChangeChecks, 'lintUnavailable' | 'secrets' | 'dependencies' | 'perf'>>;
  /** The tests before the change, for the before → after counts in the body and a rebase's tests. */
  baseline?: TestToolOutput;
  /** The constraints as check_constraints classified and checked them; absent: listed as given. */
  constraints?: ConstraintCheck[];
}

/** The description of the task's pull request; delivery and every review round write it the same way. */
export async function pullRequestBodyFor(ctx: TaskContext, facts: PullRequestFacts): Promise<string> {
  const { task } = ctx;
  return renderPullRequestBody({
    task,
    plan: task.plan,
    stepsRun: stepsThatApplied(await ctx.store.steps.list(task.id)),
    decision: facts.decision,
    ...(facts.baseline ? { baseline: facts.baseline } : {}),
    tests: facts.tests,
    lintWarnings: facts.lint.lintWarnings,
    lintPreexisting: facts.lint.lintPreexisting.length,
    ...(facts.lint.lintUnavailable ? { lintUnavailable: facts.lint.lintUnavailable } : {}),
    ...(facts.lint.secrets ? { secretsFound: facts.lint.secrets.length } : {}),
    ...(facts.lint.dependencies ? { newDependencies: facts.lint.dependencies.added } : {}),
    ...(facts.lint.perf ? { perf: facts.lint.perf } : {}),
    checksTouched: describeChecksTouched(facts.checksTouched),
    constraints: facts.constraints ?? task.constraints,
    usage: modelUsageOf(task, await ctx.store.events.list(task.id)),
    taskLink: taskLink(ctx),
    ...(await closingLineOf(ctx)),
  });
}

/** The description after a review round or a base update: its decision, tests and checks against the baseline. */
export function pullRequestBodyAfter(
  ctx: TaskContext,
  run: { decision: PolicyDecision; tests: TestToolOutput; baseline: TestToolOutput; checks: ChangeChecks },
): Promise<string> {
  const { checks } = run;
  return pullRequestBodyFor(ctx, {
    decision: run.decision,
    tests: run.tests,
    baseline: run.baseline,
    checksTouched: checks.sensitive,
    lint: checks,
    constraints: checks.constraints,
  });
}

/** A task started from an issue closes it when its pull request merges: the forge's closing keyword. */
async function closingLineOf(ctx: TaskContext): Promise<{ closesIssue?: string }> {
  const link = await ctx.store.issueTasks.getByTask(ctx.task.id);
  return link ? { closesIssue: `Closes #${link.issue_number}` } : {};
}

/** Push, pull request, and the merge when policy allowed it. Each call is idempotent on the forge. */
export async function deliverPhase(
  ctx: TaskContext,
  input: PullRequestFacts & {
    branch: string;
    headCommit: string;
    /** The base commit the task started from; with the baseline, a moved base is rebased onto before merging. */
    baseCommit?: string;
  },
): Promise<Delivery> {
  const { task } = ctx;
  await runStep(ctx, {
    phase: 'deliver',
    tool: 'git_push',
    input: { repo: task.repo, branch: input.branch },
  });
  // A multi-repo task's changed consumers: their branches too, before any pull request opens.
  await pushConsumers(ctx);
  const multiRepo = changedConsumers(ctx).length > 0;
  const ownBody = await pullRequestBodyFor(ctx, input);
  const body = multiRepo
    ? `${ownBody}\n\n${relatedPullRequestsSection(plannedPullRequests(ctx, input.branch), task.repo)}`
    : ownBody;
  const labels = pullRequestLabels(ctx);
  const pr = await runStep<PullRequest>(ctx, {
    phase: 'deliver',
    tool: 'git_pr',
    input: {
      task_id: task.id,
      repo: task.repo,
      branch: input.branch,
      base_branch: task.base_branch,
      title: task.title,
      body,
      labels,
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
      // The local forge's pull request has no description of its own: this event is it.
      title: pr.title,
      labels,
      body,
    });
  }
  const consumerPrs = multiRepo
    ? await openConsumerPullRequests(ctx, {
        library: pr,
        libraryBody: ownBody,
        taskLink: taskLink(ctx),
        labels,
      })
    : [];
  // A fallback decision never merges, even if an engine were to allow it: OPA did not decide.
  if (!input.decision.allow || input.decision.fallback === true) {
    return { merged: false, pr, reason: describeDenials(input.decision) };
  }
  if (input.baseCommit && input.baseline) {
    const sync = await syncWithBase(ctx, {
      branch: input.branch,
      baseCommit: input.baseCommit,
      headCommit: input.headCommit,
      baseline: input.baseline,
    });
    if (!sync.ok) return { merged: false, pr, reason: sync.reason };
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
    countMerge(ctx.metrics, task);
    await ctx.store.events.append(task.id, 'pr.merged', { merge_commit: merge.mergeCommit });
    // The reverted task's trail says its change is gone, and by which task.
    if (task.reverts_task_id) {
      await ctx.store.events.append(task.reverts_task_id, 'task.reverted', {
        revert_task_id: task.id,
        merge_commit: merge.mergeCommit,
      });
    }
  }
  // The consumers after the library they are built against; one that cannot merge reverts the merged.
  if (consumerPrs.length > 0) {
    const library = (await ctx.store.pullRequests.getByTask(task.id)) ?? pr;
    await mergeConsumers(ctx, library, consumerPrs);
  }
  // The base moved under the pull requests waiting for review: they are brought up to date (queued,
  // claimed once this run is over). Again on a resume: a task already queued is not queued twice.
  // Never a reason for this task to fail: it has merged.
  if (ctx.config.update_waiting_prs) {
    const warn = (err: unknown) =>
      ctx.log.warn({ err }, 'could not queue the updates of the pull requests waiting on this base');
    await updateWaitingPullRequests(ctx.store, task, merge.mergeCommit).catch(warn);
    // Each consumer merged moved its own base: the tasks waiting on it are brought up to date too.
    for (const other of await ctx.store.pullRequests.listOfTask(task.id)) {
      const repo = task.repos.find((r) => r.repo === other.repo);
      if (other.role !== 'consumer' || other.status !== 'merged' || !other.merge_commit || !repo) continue;
      await updateWaitingPullRequests(ctx.store, task, other.merge_commit, repo).catch(warn);
    }
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

/** Where a reader of the pull request finds the task: the public URL when configured, else the API path. */
export function taskLink(ctx: TaskContext): string {
  const path = `/api/v1/autodev/tasks/${ctx.task.id}`;
  return ctx.config.public_url ? `${ctx.config.public_url.replace(/\/+$/, '')}${path}` : path;
}

/** `autodev` and the tier, so a team can filter autodev's pull requests and see their risk at a glance. */
export function pullRequestLabels(ctx: TaskContext): string[] {
  return ['autodev', `risk:${ctx.task.risk_tier}`];
}
