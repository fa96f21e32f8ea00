import type { PullRequest, Task, TaskEvent, TaskStatus } from '../domain/task.js';
import type { TestToolOutput } from '../tools/test.js';
import { pushMovedConsumers, updateConsumers } from './base-update-consumers.js';
import { prepareRoundConsumers, updateRoundBodies } from './review/round-consumers.js';
import { checkConsumers, combineRepoTests, type ConsumerResult } from './phases/verify-consumers.js';
import { AutodevError, toAutodevError } from '../errors.js';
import type { Store } from '../store/index.js';
import { decidePhase } from './phases/decide.js';
import { pullRequestBodyAfter } from './phases/deliver.js';
import { pushReplayed, syncWithBase, type BaseSync } from './phases/rebase.js';
import { checkChange, verdictOf } from './phases/verify.js';
import { firstRun } from './review/round.js';
import { runStep } from './step-runner.js';
import { setStatus } from './transitions.js';
import type { TaskContext } from './task-context.js';

/**
 * A pull request waiting for review whose base branch moved is brought up to date by the scheduler,
 * as the low-risk path does before its merge: the change replayed onto the base as it is now, the
 * tests run again against the first run's baseline, the checks and policy decide anew, the branch
 * pushed and the body replaced. The task is queued for it (`pr.update_requested`, numbered) and ends
 * back in awaiting_review: `pr.base_updated`, or `pr.update_failed` with the reason (a conflict, tests
 * the new base breaks) as the task's error. The review intake then merges an approved one at once.
 */

const REQUESTED = 'pr.update_requested';
const OUTCOMES: ReadonlySet<TaskEvent['type']> = new Set(['pr.base_updated', 'pr.update_failed']);

const updateOf = (event: TaskEvent) => Number(event.data.update);

/** Queues the task's next update; false when another report queued it (or the task moved on) first. */
export async function requestBaseUpdate(
  store: Store,
  task: Task,
  request: { base: string; reason: string },
): Promise<boolean> {
  const events = await store.events.list(task.id);
  const update = events.filter((e) => e.type === REQUESTED).length + 1;
  // Conditional: of a webhook, a poll and the API acting on the same approval, one queues it.
  if (!(await store.tasks.transition(task.id, 'awaiting_review', 'queued', null))) return false;
  await store.events.append(task.id, REQUESTED, { update, base: request.base, reason: request.reason });
  await store.events.append(task.id, 'task.status_changed', { from: 'awaiting_review', to: 'queued' });
  return true;
}

/**
 * `[autodev] update_waiting_prs`: after `merged` merged, every other pull request waiting for review
 * on the same repository and base is queued to be brought up to date (not one already waiting for a
 * review round, nor one whose update already failed on this base). A multi-repo task waits on each
 * of its repositories' bases: it is queued when any of them got the merge. `where` is the repository
 * and base that moved when it is not the merged task's own (a consumer of a multi-repo task merged).
 * Returns how many were queued.
 */
export async function updateWaitingPullRequests(
  store: Store,
  merged: Task,
  base: string,
  where: { repo: string; repo_normalized: string; base_branch: string } = merged,
): Promise<number> {
  let queued = 0;
  for (const pr of await store.pullRequests.list({ status: 'open', limit: 500 })) {
    if (pr.task_id === merged.id) continue;
    const task = await store.tasks.get(pr.task_id);
    if (task?.status !== 'awaiting_review') continue;
    const waitsOnIt =
      (pr.base_branch === where.base_branch && task.repo_normalized === where.repo_normalized) ||
      task.repos.some(
        (r) => r.repo_normalized === where.repo_normalized && r.base_branch === where.base_branch,
      );
    if (!waitsOnIt) continue;
    if (await store.reviewRounds.pending(task.id)) continue;
    if (await failedUpdateAt(store, task.id, base)) continue;
    const of = where.repo_normalized === task.repo_normalized ? '' : ` of ${where.repo}`;
    const reason = `base branch ${where.base_branch}${of} moved: task ${merged.id} merged into it (update_waiting_prs)`;
    if (await requestBaseUpdate(store, task, { base, reason })) queued += 1;
  }
  return queued;
}

/** The update the task is queued for (or that a crash interrupted), if any. */
export async function pendingBaseUpdate(store: Store, taskId: string): Promise<number | undefined> {
  const events = await store.events.list(taskId);
  const last = events.filter((e) => e.type === REQUESTED).at(-1);
  if (!last) return undefined;
  const done = events.some((e) => OUTCOMES.has(e.type) && updateOf(e) === updateOf(last));
  return done ? undefined : updateOf(last);
}

/**
 * The base commit the pull request's change sits on: the last update's, else the one delivery
 * replayed it onto (when that was pushed), else the one the task started from.
 */
export async function currentBaseOf(store: Store, taskId: string): Promise<string | undefined> {
  const events = await store.events.list(taskId);
  const updated = events.filter((e) => e.type === 'pr.base_updated').at(-1);
  if (typeof updated?.data.base === 'string') return updated.data.base;
  const pushed = (await store.steps.get(taskId, 'deliver.git_push#2'))?.status === 'succeeded';
  const rebase = (await store.steps.get(taskId, 'deliver.git_rebase#1'))?.output as
    { base?: unknown; base_moved?: unknown } | undefined;
  if (pushed && rebase?.base_moved === true && typeof rebase.base === 'string') return rebase.base;
  const clone = (await store.steps.get(taskId, 'prepare.git_clone#1'))?.output as
    { base_commit?: unknown } | undefined;
  return typeof clone?.base_commit === 'string' ? clone.base_commit : undefined;
}

/** Why the last update failed, when it was against `base`: asking again would fail the same way. */
export async function failedUpdateAt(
  store: Store,
  taskId: string,
  base: string,
): Promise<string | undefined> {
  const events = await store.events.list(taskId);
  const last = events.filter((e) => OUTCOMES.has(e.type)).at(-1);
  if (last?.type !== 'pr.update_failed' || last.data.base !== base) return undefined;
  return typeof last.data.reason === 'string' ? last.data.reason : 'the last update failed';
}

/**
 * Whether the run that just ended was an update that brought the pull request up to date: then the
 * review intake looks at it again, so an approval given before merges without waiting for a poll.
 */
export async function justUpdated(store: Store, taskId: string): Promise<boolean> {
  const events = await store.events.list(taskId);
  const last = events.filter((e) => e.type.startsWith('pr.') || e.type.startsWith('review.')).at(-1);
  return last?.type === 'pr.base_updated';
}

/** Runs update `update` of the task's pull request; ends awaiting_review (or cancelled). */
export async function runBaseUpdate(ctx: TaskContext, update: number): Promise<TaskStatus> {
  const at = { phase: 'update' as const, round: update };
  const pr = await ctx.store.pullRequests.getByTask(ctx.task.id);
  if (!pr) throw new AutodevError('PR_NOT_FOUND', `task ${ctx.task.id} has no pull request to update`);
  const requested = (await ctx.store.events.list(ctx.task.id))
    .filter((e) => e.type === REQUESTED && updateOf(e) === update)
    .at(-1);
  const requestedBase = typeof requested?.data.base === 'string' ? requested.data.base : '';
  try {
    ctx.signal.throwIfAborted();
    await setStatus(ctx, 'executing');
    const first = await firstRun(ctx);
    const fromBase = (await currentBaseOf(ctx.store, ctx.task.id)) ?? first.baseCommit;
    const clone = await runStep<{ dir: string }>(ctx, {
      ...at,
      tool: 'git_clone',
      input: {
        repo: ctx.task.repo,
        base_branch: ctx.task.base_branch,
        branch: pr.branch,
        task_id: ctx.task.id,
      },
    });
    ctx.workspaceDir = clone.dir;
    await ctx.services.git.resetTo(clone.dir, pr.head_commit);
    await runStep(ctx, { ...at, tool: 'setup', input: {} });
    // A multi-repo task: each consumer at its pull request's head, its base as its last update left it.
    await prepareRoundConsumers(ctx, at);
    const multiRepo = (ctx.consumers?.length ?? 0) > 0;

    await setStatus(ctx, 'verifying');
    // A multi-repo task's library is pushed once every consumer replayed and passed as well.
    const sync = await syncWithBase(
      ctx,
      { branch: pr.branch, baseCommit: fromBase, headCommit: pr.head_commit, baseline: first.baseline },
      at,
      !multiRepo,
    );
    if (!sync.ok) {
      const reason = multiRepo ? `in ${ctx.task.repo}: ${sync.reason}` : sync.reason;
      return await failed(ctx, update, requestedBase, reason);
    }
    if (multiRepo) {
      return await updateMultiRepo(ctx, { update, requestedBase, pr, fromBase, first, sync });
    }
    if (!sync.moved) {
      // Someone else brought the branch up to date meanwhile: nothing to replay.
      await ctx.store.events.append(ctx.task.id, 'pr.base_updated', {
        update,
        base: fromBase,
        head: pr.head_commit,
        unchanged: true,
      });
      return await end(ctx, null);
    }
    const { base, tests } = sync.moved;
    const filesChanged = await ctx.services.git.changedFiles(ctx.workspaceDir, base);
    const checks = await checkChange(ctx, base, filesChanged, first.lintBaseline, at);
    const decision = await decidePhase(ctx, { tests, baseline: first.baseline, filesChanged, checks }, at);

    await setStatus(ctx, 'delivering');
    const body = await pullRequestBodyAfter(ctx, { decision, tests, baseline: first.baseline, checks });
    const current = (await ctx.store.pullRequests.getByTask(ctx.task.id)) ?? pr;
    await ctx.services.forge.updateBody(current, body);
    await ctx.store.events.append(ctx.task.id, 'pr.base_updated', {
      update,
      base,
      head: sync.head,
      tests: tests.summary,
      policy_allows: decision.allow && decision.fallback !== true,
    });
    return await end(ctx, null);
  } catch (raw) {
    const error = ctx.signal.aborted ? toAutodevError(ctx.signal.reason) : toAutodevError(raw);
    if (error.code === 'SHUTTING_DOWN') throw error;
    if (error.code === 'TASK_CANCELLED') {
      await ctx.store.events.append(ctx.task.id, 'pr.update_failed', {
        update,
        base: requestedBase,
        reason: error.message,
      });
      ctx.task = await ctx.store.tasks.update(ctx.task.id, { finished_at: new Date().toISOString() });
      await setStatus(ctx, 'cancelled', { code: error.code, message: error.message });
      return 'cancelled';
    }
    return failed(ctx, update, requestedBase, `${error.code}: ${error.message}`);
  }
}

/**
 * The pull request stays as it was, open for review, and says why it could not be updated: the
 * task's error, the event and a comment. It is not requested again until the base moves further.
 */
async function failed(ctx: TaskContext, update: number, base: string, reason: string): Promise<TaskStatus> {
  const message = `the pull request could not be brought up to date with ${ctx.task.base_branch}: ${reason}`;
  await ctx.store.events.append(ctx.task.id, 'pr.update_failed', { update, base, reason: message });
  const pr = await ctx.store.pullRequests.getByTask(ctx.task.id);
  if (pr) {
    const key = `update-${update}`;
    await ctx.services.forge
      .comment(pr, key, `<!-- autodev:${key} -->\n${message}`)
      .catch((e: unknown) => ctx.log.warn({ err: e }, 'could not comment the failed update'));
  }
  return end(ctx, { code: 'PR_UPDATE_FAILED', message });
}

/**
 * The rest of a multi-repo task's update, after the library's replay: each consumer replayed onto
 * its moved base (or tested again against the moved library), then, when anything moved, the
 * library's tests where it did not move, the checks and policy over every repository, and the bodies.
 */
async function updateMultiRepo(
  ctx: TaskContext,
  input: {
    update: number;
    requestedBase: string;
    pr: PullRequest;
    fromBase: string;
    first: Awaited<ReturnType<typeof firstRun>>;
    sync: Extract<BaseSync, { ok: true }>;
  },
): Promise<TaskStatus> {
  const { update, requestedBase, pr, fromBase, first, sync } = input;
  const at = { phase: 'update' as const, round: update };
  const consumers = await updateConsumers(ctx, at, sync.moved !== undefined);
  if (!consumers.ok) return failed(ctx, update, requestedBase, consumers.reason);
  if (!sync.moved && consumers.moved.length === 0) {
    await ctx.store.events.append(ctx.task.id, 'pr.base_updated', {
      update,
      base: fromBase,
      head: pr.head_commit,
      unchanged: true,
    });
    return end(ctx, null);
  }
  const base = sync.moved?.base ?? fromBase;
  // The library's tests ran on its new base when it moved; else once more, for the policy's facts.
  const libraryTests =
    sync.moved?.tests ??
    (await runStep<TestToolOutput>(ctx, {
      ...at,
      tool: 'test',
      input: { config_commit: base, baseline: first.baseline.reports, acceptance: ctx.task.acceptance },
    }));
  const tests = combineRepoTests(libraryTests, consumers.tests);
  if (verdictOf(tests) === 'fail') {
    return failed(ctx, update, requestedBase, `the tests do not pass: ${tests.summary.replace(/\n/g, '; ')}`);
  }
  // Every repository replayed and passed: now each moved branch is pushed, the library's first.
  if (sync.moved) await pushReplayed(ctx, pr.branch, sync.head, at);
  await pushMovedConsumers(ctx, at, consumers.moved);
  const filesChanged = await ctx.services.git.changedFiles(ctx.workspaceDir, base);
  let checked: ConsumerResult[] = [];
  const checks = await checkChange(ctx, base, filesChanged, first.lintBaseline, at, async () => {
    checked = await checkConsumers(ctx, consumers.tests, at);
  });
  const decision = await decidePhase(
    ctx,
    { tests, baseline: first.baseline, filesChanged, checks, consumers: checked },
    at,
  );
  await setStatus(ctx, 'delivering');
  const body = await pullRequestBodyAfter(ctx, { decision, tests, baseline: first.baseline, checks });
  const current = (await ctx.store.pullRequests.getByTask(ctx.task.id)) ?? pr;
  const movedPrs = (await ctx.store.pullRequests.listOfTask(ctx.task.id)).filter(
    (p) => p.role === 'consumer' && consumers.moved.some((m) => m.repo === p.repo),
  );
  await updateRoundBodies(ctx, current, body, movedPrs);
  await ctx.store.events.append(ctx.task.id, 'pr.base_updated', {
    update,
    base,
    head: sync.head,
    repos: consumers.moved,
    tests: tests.summary,
    policy_allows: decision.allow && decision.fallback !== true,
  });
  return end(ctx, null);
}

async function end(ctx: TaskContext, error: { code: string; message: string } | null): Promise<TaskStatus> {
  ctx.task = await ctx.store.tasks.update(ctx.task.id, { finished_at: new Date().toISOString(), error });
  await setStatus(ctx, 'awaiting_review');
  return 'awaiting_review';
}
