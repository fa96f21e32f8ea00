import { isAutodevError, toAutodevError } from '../errors.js';
import { pendingBaseUpdate, runBaseUpdate } from './base-update.js';
import { pendingMultiRepoMerge, runMultiRepoMerge } from './multi-repo-merge.js';
import type { Plan, TaskStatus } from '../domain/task.js';
import { createPhaseCursor } from './phase-table.js';
import { decidePhase } from './phases/decide.js';
import { deliverPhase } from './phases/deliver.js';
import { implementRound } from './phases/implement.js';
import { preparePhase } from './phases/prepare.js';
import { revertRound } from './revert-task.js';
import { dependencyUpdateOf, updateRound } from './update-task.js';
import { checkChange, testsStillFailing, verdictOf, verifyRound } from './phases/verify.js';
import { checksPassed, countDelivered } from '../metrics/outcomes.js';
import { runReviewRound } from './review/round.js';
import { runStep } from './step-runner.js';
import { setStatus } from './transitions.js';
import {
  checkConsumers,
  combineRepoTests,
  verifyConsumers,
  type ConsumerResult,
  type ConsumerTests,
} from './phases/verify-consumers.js';
import type { TaskContext } from './task-context.js';
import { repoNames } from '../multirepo/task-workspaces.js';

/**
 * A task from start to end, read as a table of contents: each phase is a call into its layer, and
 * every tool call a checkpointed step, so running this again after a crash resumes where it stopped.
 */
export async function runTask(ctx: TaskContext): Promise<TaskStatus> {
  const started = performance.now();
  // A requested review round (or one a crash interrupted) is this run's work, not the task from the start.
  const round = await ctx.store.reviewRounds.pending(ctx.task.id);
  if (round) {
    if (ctx.task.status !== 'queued') {
      await ctx.store.events.append(ctx.task.id, 'task.resumed', {
        attempt: ctx.task.attempt,
        from: ctx.task.status,
        round: round.round,
      });
    }
    const status = await runReviewRound(ctx, round);
    ctx.metrics.taskDurationSeconds.observe((performance.now() - started) / 1000);
    return status;
  }
  // An update of a pull request whose base moved, likewise.
  const update = await pendingBaseUpdate(ctx.store, ctx.task.id);
  if (update !== undefined) {
    const status = await runBaseUpdate(ctx, update);
    ctx.metrics.taskDurationSeconds.observe((performance.now() - started) / 1000);
    return status;
  }
  // A multi-repo task's merge after review, likewise.
  const merge = await pendingMultiRepoMerge(ctx.store, ctx.task.id);
  if (merge !== undefined) {
    // A merge the approval queued starts from queued; one a crash interrupted says it resumed.
    if (ctx.task.status !== 'queued') {
      await ctx.store.events.append(ctx.task.id, 'task.resumed', {
        attempt: ctx.task.attempt,
        from: ctx.task.status,
        merge,
      });
    }
    const status = await runMultiRepoMerge(ctx, merge);
    ctx.metrics.taskDurationSeconds.observe((performance.now() - started) / 1000);
    return status;
  }
  if (ctx.task.attempt > 1) {
    await ctx.store.events.append(ctx.task.id, 'task.resumed', {
      attempt: ctx.task.attempt,
      from: ctx.task.status,
    });
  }
  try {
    ctx.signal.throwIfAborted();
    // Every step from here must follow the phase table, the plan shown to the user (PLAN_DRIFT if not).
    ctx.phaseCursor = createPhaseCursor();
    await setStatus(ctx, 'planning');
    const plan = await runStep<Plan>(ctx, {
      phase: 'plan',
      tool: 'plan',
      input: {
        title: ctx.task.title,
        description: ctx.task.description,
        constraints: ctx.task.constraints,
        acceptance: ctx.task.acceptance,
        risk_tier: ctx.task.risk_tier,
        ...planningRepos(ctx),
      },
    });
    if (!ctx.task.plan) {
      ctx.task = await ctx.store.tasks.update(ctx.task.id, { plan });
      await ctx.store.events.append(ctx.task.id, 'plan.created', {
        source: plan.source,
        summary: plan.summary,
        ...(plan.fallback_reason ? { fallback_reason: plan.fallback_reason } : {}),
      });
    }

    await setStatus(ctx, 'executing');
    const workspace = await preparePhase(ctx);

    // Success is the comparison with the baseline, not an all-green run: the tests the task is about
    // pass and none that passed before fails. A suite that could not run before and cannot now is
    // for review (decide), never a repair round blamed on the model.
    const dependencyUpdate = await dependencyUpdateOf(ctx);
    let tests = workspace.baseline;
    let head = workspace.baseCommit;
    let rounds = 0;
    let consumerTests: ConsumerTests[] = [];
    const maxRounds = 1 + ctx.config.max_step_retries;
    for (let round = 1; round <= maxRounds; round += 1) {
      await setStatus(ctx, 'executing');
      let change;
      try {
        if (dependencyUpdate && round > 1 && !dependencyUpdate.repair) break;
        change = ctx.task.reverts_task_id
          ? await revertRound(ctx, round, workspace.baseCommit)
          : dependencyUpdate && round === 1
            ? await updateRound(ctx, dependencyUpdate, workspace.baseCommit)
            : await implementRound(ctx, {
                round,
                fromCommit: head,
                files: workspace.files,
                lastTests: tests,
              });
      } catch (error) {
        // A repair that resends the fix already made changes nothing: what is wrong is still the tests.
        if (round > 1 && isAutodevError(error, 'EDIT_ALREADY_APPLIED')) break;
        throw error;
      }
      head = change.commit;
      rounds = round;
      await setStatus(ctx, 'verifying');
      tests = await verifyRound(ctx, round, workspace.baseCommit, workspace.baseline);
      // A multi-repo task's consumers, each built against the changed library, judge the round too.
      if (ctx.consumers?.length) {
        consumerTests = await verifyConsumers(ctx, round);
        tests = combineRepoTests(tests, consumerTests);
      }
      if (verdictOf(tests) !== 'fail') break;
    }
    // An update with `repair = false` goes to review with its failures; any other failing change ends here.
    const forReview = dependencyUpdate !== undefined && !dependencyUpdate.repair;
    if (verdictOf(tests) === 'fail' && !forReview) throw testsStillFailing(tests, rounds);

    const filesChanged = await ctx.services.git.changedFiles(ctx.workspaceDir, workspace.baseCommit);
    let consumers: ConsumerResult[] | undefined;
    const checks = await checkChange(
      ctx,
      workspace.baseCommit,
      filesChanged,
      workspace.lintBaseline,
      { phase: 'verify' },
      ctx.consumers?.length
        ? async () => {
            consumers = await checkConsumers(ctx, consumerTests);
          }
        : undefined,
    );
    const decision = await decidePhase(ctx, {
      tests,
      baseline: workspace.baseline,
      filesChanged,
      checks,
      ...(consumers ? { consumers } : {}),
    });
    await setStatus(ctx, 'delivering');
    const delivery = await deliverPhase(ctx, {
      branch: workspace.branch,
      headCommit: head,
      decision,
      tests,
      baseline: workspace.baseline,
      baseCommit: workspace.baseCommit,
      checksTouched: checks.sensitive,
      lint: checks,
      constraints: checks.constraints,
    });
    const final: TaskStatus = delivery.merged ? 'merged' : 'awaiting_review';
    // A resumed delivery reaches here again: the outcome is recorded once per reason.
    if (!delivery.merged && !(await hasAwaitingReviewOutcome(ctx, delivery.reason))) {
      await ctx.store.events.append(ctx.task.id, 'policy.decision', {
        outcome: 'awaiting_review',
        reason: delivery.reason,
      });
    }
    // Before the status change: the terminal status stays the trail's last event (streams end on it).
    if (delivery.merged || checksPassed(decision)) {
      await countDelivered(ctx.store, ctx.metrics, ctx.task.id, final);
    }
    await finish(ctx, final, started);
    return final;
  } catch (raw) {
    const error = ctx.signal.aborted ? toAutodevError(ctx.signal.reason) : toAutodevError(raw);
    if (error.code === 'SHUTTING_DOWN') {
      // Not an end: the task stays in its state, its lease lapses, and the next start resumes it.
      throw error;
    }
    const status: TaskStatus = error.code === 'TASK_CANCELLED' ? 'cancelled' : 'failed';
    await finish(ctx, status, started, { code: error.code, message: error.message });
    return status;
  }
}

async function hasAwaitingReviewOutcome(ctx: TaskContext, reason: string): Promise<boolean> {
  const events = await ctx.store.events.list(ctx.task.id);
  return events.some(
    (e) => e.type === 'policy.decision' && e.data.outcome === 'awaiting_review' && e.data.reason === reason,
  );
}

async function finish(
  ctx: TaskContext,
  status: TaskStatus,
  startedMs: number,
  error?: { code: string; message: string },
): Promise<void> {
  ctx.task = await ctx.store.tasks.update(ctx.task.id, { finished_at: new Date().toISOString() });
  await setStatus(ctx, status, error);
  if (status === 'failed' && error) await ctx.store.events.append(ctx.task.id, 'task.failed', { error });
  ctx.metrics.taskDurationSeconds.observe((performance.now() - startedMs) / 1000);
  if (status === 'failed') ctx.metrics.tasksFailedTotal.inc();
  ctx.log.info({ status, error }, 'task finished');
}

/**
 * A multi-repo task's repositories for its plan, by the names its steps and the model's tools use.
 * Nothing for one repository: its plan step's input stays what it was, so recorded runs still match.
 */
function planningRepos(ctx: TaskContext): {
  repos?: { name: string; role: 'library' | 'consumer'; repo: string; base_branch: string }[];
} {
  if (ctx.task.repos.length < 2) return {};
  const names = repoNames(ctx.task.repos);
  return {
    repos: ctx.task.repos.map((r, index) => ({
      name: names[index] ?? `repo-${index + 1}`,
      role: r.role,
      repo: r.repo,
      base_branch: r.base_branch,
    })),
  };
}
