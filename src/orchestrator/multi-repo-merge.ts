import type { PullRequest, Task, TaskEvent, TaskStatus } from '../domain/task.js';
import { AutodevError, toAutodevError } from '../errors.js';
import type { MergeResult } from '../forges/types.js';
import { countDelivered, countMerge } from '../metrics/outcomes.js';
import { consumerWorkspaceId, repoNames } from '../multirepo/task-workspaces.js';
import type { Store } from '../store/index.js';
import {
  currentBaseOf,
  failedUpdateAt,
  requestBaseUpdate,
  updateWaitingPullRequests,
} from './base-update.js';
import { recordOnce, revertAfterFailedMerge, type MergedRepo } from './phases/deliver-repos.js';
import { currentConsumerBase } from './review/round-consumers.js';
import { runStep, type StepRequest } from './step-runner.js';
import type { TaskContext } from './task-context.js';
import { setStatus } from './transitions.js';

/**
 * The merge of a multi-repo task's pull requests after review. The review intake only decides (every
 * pull request approved) and queues it (`pr.merge_requested`, numbered): the merge needs a worktree per
 * repository and, when a consumer cannot merge, reverts whose steps must resume after a crash, so the
 * scheduler runs it (run-task.ts) as checkpointed steps `merge.<tool>[@<name>]#<n>`. A base that moved
 * under a repository asks for a base update first; then the library merges, then each consumer in the
 * task's order; a pull request a human merged on the forge is skipped. One that cannot merge has the
 * merged ones reverted (`merge.<tool>@<name>#<100 + n>`) and the task fails MULTI_REPO_MERGE_FAILED.
 */

const REQUESTED = 'pr.merge_requested';
const FINISHED = 'pr.merge_finished';
/** The revert steps of merge n carry round 100 + n: apart from the merge's own steps of the same tools. */
const REVERT_ROUND_BASE = 100;

const mergeOf = (event: TaskEvent) => Number(event.data.merge);

/** Queues the task's next merge; false when another report queued it (or the task moved on) first. */
export async function requestMultiRepoMerge(
  store: Store,
  task: Task,
  request: { approvers: string[]; override?: { by: string; comment: string | null } },
): Promise<boolean> {
  const events = await store.events.list(task.id);
  const merge = events.filter((e) => e.type === REQUESTED).length + 1;
  // Conditional: of a webhook, a poll and the API acting on the same approval, one queues it.
  if (!(await store.tasks.transition(task.id, 'awaiting_review', 'queued', null))) return false;
  await store.events.append(task.id, REQUESTED, {
    merge,
    approvers: request.approvers,
    ...(request.override
      ? { override_by: request.override.by, override_reason: request.override.comment }
      : {}),
  });
  await store.events.append(task.id, 'task.status_changed', { from: 'awaiting_review', to: 'queued' });
  return true;
}

/** The merge the task is queued for (or that a crash interrupted), if any. */
export async function pendingMultiRepoMerge(store: Store, taskId: string): Promise<number | undefined> {
  const events = await store.events.list(taskId);
  const last = events.filter((e) => e.type === REQUESTED).at(-1);
  if (!last) return undefined;
  const done = events.some((e) => e.type === FINISHED && mergeOf(e) === mergeOf(last));
  return done ? undefined : mergeOf(last);
}

/** A pull request of the task with the worktree the merge runs in. */
interface MergeTarget {
  pr: PullRequest;
  /** Absent for the library (the task's own workspace). */
  at?: NonNullable<StepRequest['repo']>;
  dir: string;
  /** The base its change started from (a revert of a fast-forward undoes since..merge). */
  since: string | undefined;
  /** Its base branch now, as this run fetched it. */
  baseNow: string;
  ordinal: number;
}

/** Runs merge `merge` of the task; ends merged, failed, cancelled, or queued for a base update. */
export async function runMultiRepoMerge(ctx: TaskContext, merge: number): Promise<TaskStatus> {
  const { task } = ctx;
  const at = { phase: 'merge' as const, round: merge };
  const request = (await ctx.store.events.list(task.id))
    .filter((e) => e.type === REQUESTED && mergeOf(e) === merge)
    .at(-1);
  try {
    ctx.signal.throwIfAborted();
    await setStatus(ctx, 'delivering');
    const targets = await worktrees(ctx, at);
    const open = targets.filter((t) => t.pr.status === 'open');

    // A base that moved under an open pull request: brought up to date (and reviewed by policy) first.
    const moved = await movedBase(ctx, open);
    if (moved) return await askForUpdate(ctx, merge, targets, moved);

    if (!(await ctx.store.tasks.beginMerge(task.id))) {
      throw new AutodevError('TASK_CANCELLED', 'task cancelled by request before its merge');
    }
    const merged: MergedRepo[] = [];
    for (const target of targets) {
      if (target.pr.status === 'closed') {
        throw await revertAfterFailedMerge(
          ctx,
          target.pr.repo,
          'its pull request was closed',
          merged,
          revertSteps(merge),
        );
      }
      const mergeCommit = target.pr.status === 'merged' ? target.pr.merge_commit : undefined;
      const result: { commit: string } | { failure: string } = mergeCommit
        ? { commit: mergeCommit }
        : await mergeOne(ctx, at, target);
      if ('failure' in result) {
        throw await revertAfterFailedMerge(ctx, target.pr.repo, result.failure, merged, revertSteps(merge));
      }
      await recordMerged(ctx, target, result.commit, request?.data ?? {});
      merged.push({
        name: target.at?.name ?? repoNames(task.repos)[0] ?? 'library',
        dir: target.dir,
        pr: { ...target.pr, status: 'merged', merge_commit: result.commit },
        since: target.since,
        ordinal: target.ordinal,
      });
    }
    const library = merged[0]?.pr.merge_commit ?? undefined;
    await countDelivered(ctx.store, ctx.metrics, task.id, 'merged');
    await ctx.store.events.append(task.id, FINISHED, { merge, outcome: 'merged' });
    if (ctx.config.update_waiting_prs && library) {
      await updateWaitingPullRequests(ctx.store, task, library).catch((err: unknown) =>
        ctx.log.warn({ err }, 'could not queue the updates of the pull requests waiting on this base'),
      );
    }
    await finish(ctx, 'merged');
    return 'merged';
  } catch (raw) {
    const error = ctx.signal.aborted ? toAutodevError(ctx.signal.reason) : toAutodevError(raw);
    if (error.code === 'SHUTTING_DOWN') throw error;
    const status: TaskStatus = error.code === 'TASK_CANCELLED' ? 'cancelled' : 'failed';
    await ctx.store.events.append(task.id, FINISHED, { merge, outcome: status, code: error.code });
    await finish(ctx, status, { code: error.code, message: error.message });
    return status;
  }
}

function revertSteps(merge: number) {
  return { phase: 'merge' as const, round: REVERT_ROUND_BASE + merge };
}

/**
 * A worktree per pull request of the task, at its head: the library's (the task's workspace) and each
 * changed consumer's (`<task>.repo-N`, as delivery made them), in merge order.
 */
async function worktrees(ctx: TaskContext, at: { phase: 'merge'; round: number }): Promise<MergeTarget[]> {
  const { task } = ctx;
  const prs = await ctx.store.pullRequests.listOfTask(task.id);
  const library = prs.find((p) => p.role === undefined);
  if (!library) throw new AutodevError('PR_NOT_FOUND', `task ${task.id} has no pull request to merge`);
  const names = repoNames(task.repos);
  const clone = await runStep<{ dir: string; base_commit: string }>(ctx, {
    ...at,
    tool: 'git_clone',
    input: { repo: task.repo, base_branch: task.base_branch, branch: library.branch, task_id: task.id },
  });
  ctx.workspaceDir = clone.dir;
  await ctx.services.git.resetTo(clone.dir, library.head_commit);
  const targets: MergeTarget[] = [
    {
      pr: library,
      dir: clone.dir,
      since: await currentBaseOf(ctx.store, task.id),
      baseNow: clone.base_commit,
      ordinal: 0,
    },
  ];
  for (const [index, repo] of task.repos.entries()) {
    const pr = prs.find((p) => p.role === 'consumer' && p.repo === repo.repo);
    if (index === 0 || !pr) continue;
    const name = names[index] ?? `repo-${index + 1}`;
    const where = { name, dir: ctx.workspaceDir, url: repo.repo };
    const consumerClone = await runStep<{ dir: string; base_commit: string }>(ctx, {
      ...at,
      tool: 'git_clone',
      repo: where,
      input: {
        repo: repo.repo,
        base_branch: repo.base_branch,
        branch: pr.branch,
        task_id: consumerWorkspaceId(task.id, index),
      },
    });
    await ctx.services.git.resetTo(consumerClone.dir, pr.head_commit);
    // The base its change sits on: the last base update's that replayed it, else the one its first
    // run cloned (a revert of a fast-forward undoes since..merge).
    const first = (await ctx.store.steps.get(task.id, `prepare.git_clone@${name}#1`))?.output as
      { base_commit?: unknown } | undefined;
    const since =
      typeof first?.base_commit === 'string'
        ? await currentConsumerBase(ctx, repo.repo, first.base_commit)
        : undefined;
    targets.push({
      pr,
      at: { ...where, dir: consumerClone.dir },
      dir: consumerClone.dir,
      since,
      baseNow: consumerClone.base_commit,
      ordinal: index,
    });
  }
  return targets;
}

/** The first open pull request whose base branch moved past the commit its change sits on. */
async function movedBase(ctx: TaskContext, open: readonly MergeTarget[]): Promise<MergeTarget | undefined> {
  const requested = (await ctx.store.events.list(ctx.task.id)).filter(
    (e) => e.type === 'pr.update_requested',
  );
  return open.find((t) => {
    if (t.since === undefined || t.since === t.baseNow) return false;
    if (!t.pr.role) return true;
    // A consumer's update is asked for once per base it moved to: the update replays it there, and
    // should one ever leave it where it was, the merge goes ahead and the forge decides (a refusal
    // reverts what merged) rather than ask again and again.
    return !requested.some((e) => String(e.data.reason).includes(movedWords(t)));
  });
}

const movedWords = (t: MergeTarget) => `${t.pr.repo} moved to ${t.baseNow}`;

/** Back to awaiting_review, queued for a base update (unless the last one failed on this base). */
async function askForUpdate(
  ctx: TaskContext,
  merge: number,
  targets: readonly MergeTarget[],
  moved: MergeTarget,
): Promise<TaskStatus> {
  const { task } = ctx;
  const libraryBase = targets[0]?.baseNow ?? moved.baseNow;
  const failed = await failedUpdateAt(ctx.store, task.id, libraryBase);
  const reason = `approved, but base branch ${moved.pr.base_branch} of ${movedWords(moved)}: the change is brought up to date (rebase, tests, checks, policy) before its merge`;
  await ctx.store.events.append(task.id, FINISHED, {
    merge,
    outcome: failed ? 'waiting' : 'base_update_requested',
    reason: failed ?? reason,
  });
  ctx.task = await ctx.store.tasks.update(task.id, { finished_at: new Date().toISOString() });
  await setStatus(ctx, 'awaiting_review');
  if (failed) return 'awaiting_review';
  return (await requestBaseUpdate(ctx.store, ctx.task, { base: libraryBase, reason }))
    ? 'queued'
    : 'awaiting_review';
}

/** One pull request merged through the forge, or why it could not be. */
async function mergeOne(
  ctx: TaskContext,
  at: { phase: 'merge'; round: number },
  target: MergeTarget,
): Promise<{ commit: string } | { failure: string }> {
  const { pr } = target;
  try {
    const result = await runStep<MergeResult>(ctx, {
      ...at,
      tool: 'pr_merge',
      ...(target.at ? { repo: target.at } : {}),
      input: pr.role ? { task_id: ctx.task.id, repo: pr.repo, branch: pr.branch } : { task_id: ctx.task.id },
    });
    return result.merged ? { commit: result.mergeCommit } : { failure: result.reason };
  } catch (raw) {
    const error = toAutodevError(raw);
    if (error.code === 'SHUTTING_DOWN' || error.code === 'TASK_CANCELLED') throw error;
    return { failure: `${error.code}: ${error.message}` };
  }
}

/** The library's merge is the task's `pr.merged` (counted once); a consumer's its `pr.repo_merged`. */
async function recordMerged(
  ctx: TaskContext,
  target: MergeTarget,
  mergeCommit: string,
  request: Record<string, unknown>,
): Promise<void> {
  const { task } = ctx;
  if (target.pr.role) {
    await recordOnce(ctx, 'pr.repo_merged', target.pr, { role: 'consumer', merge_commit: mergeCommit });
    return;
  }
  const events = await ctx.store.events.list(task.id);
  if (events.some((e) => e.type === 'pr.merged')) return;
  countMerge(ctx.metrics, task);
  const approvers = Array.isArray(request.approvers) ? request.approvers.map(String) : [];
  await ctx.store.events.append(task.id, 'pr.merged', {
    merge_commit: mergeCommit,
    by: approvers.join(', ') || 'policy',
    approvers,
    ...(request.override_by
      ? { override_by: request.override_by, override_reason: request.override_reason }
      : {}),
  });
  if (task.reverts_task_id) {
    await ctx.store.events.append(task.reverts_task_id, 'task.reverted', {
      revert_task_id: task.id,
      merge_commit: mergeCommit,
    });
  }
}

async function finish(
  ctx: TaskContext,
  status: TaskStatus,
  error?: { code: string; message: string },
): Promise<void> {
  ctx.task = await ctx.store.tasks.update(ctx.task.id, { finished_at: new Date().toISOString() });
  await setStatus(ctx, status, error);
  if (status === 'failed' && error) {
    await ctx.store.events.append(ctx.task.id, 'task.failed', { error });
    ctx.metrics.tasksFailedTotal.inc();
  }
}
