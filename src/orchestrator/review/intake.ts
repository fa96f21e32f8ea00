import type { AutodevConfig } from '../../config/schema.js';
import type { EventType, PrReview, PrReviewKind, PullRequest, Task } from '../../domain/task.js';
import { AutodevError, toAutodevError } from '../../errors.js';
import type {
  Forge,
  ForgeReviewItem,
  MergeResult,
  PullRequestActivity,
  WebhookTarget,
} from '../../forges/types.js';
import { requestMultiRepoMerge } from '../multi-repo-merge.js';
import { decideMultiRepoReview, reviewRepoOf, reviewsOf } from './multi-repo-rules.js';
import type { Logger } from '../../logging/logger.js';
import type { AutodevMetrics } from '../../metrics/registry.js';
import type { Store } from '../../store/index.js';
import type { WorkspaceGit, WorkspaceManager } from '../../workspace/types.js';
import {
  currentBaseOf,
  failedUpdateAt,
  requestBaseUpdate,
  updateWaitingPullRequests,
} from '../base-update.js';
import { countDelivered } from '../../metrics/outcomes.js';
import {
  createReviewerCheck,
  decideReview,
  whyIgnored,
  type ReviewerCheck,
  type ReviewVerdict,
} from './rules.js';
import { reviewerCheckFor } from './reviewer-standing.js';

/** Pull requests whose last sync's reviewer check is kept for reads between syncs (oldest dropped). */
const REMEMBERED_CHECKS = 500;

export const REVIEW_EVENT_OF: Record<PrReviewKind, EventType> = {
  approval: 'pr.approved',
  changes_requested: 'pr.changes_requested',
  comment: 'pr.commented',
  override: 'pr.override',
};

export type SyncOutcome =
  | { outcome: 'not_awaiting_review'; status: string }
  | { outcome: 'merged' | 'closed'; by: string }
  | { outcome: 'round_requested'; round: number }
  | { outcome: 'rounds_exhausted' }
  /** A multi-repo task's pull requests all approved: queued for the merge run (multi-repo-merge.ts). */
  | { outcome: 'merge_requested' }
  /** Approved, but its base moved: queued to be brought up to date, then merged if all still holds. */
  | { outcome: 'base_update_requested'; base: string }
  | { outcome: 'waiting'; reason: string };

export interface ReviewIntake {
  /**
   * Reads the forge's activity for a task awaiting review, records new acts once, and does what they
   * call for: notes a human's merge or close, merges on enough approvals, or requests a review round.
   * Safe to call from a webhook, a poll and the API at once: single-flight per task here, and the
   * store's unique keys and conditional transitions decide between processes.
   */
  sync(taskId: string): Promise<SyncOutcome>;
  /**
   * Whether a review counts by the configuration alone (see createReviewerCheck): an act through
   * autodev's API. A forge's review also depends on what the forge reports: see checkFor.
   */
  isAllowed: ReviewerCheck;
  /** The reviewer check of the task's last sync (its author, its reviewers' permissions), else isAllowed. */
  checkFor(taskId: string): ReviewerCheck;
  /** Finds autodev's task for a webhook's target (repo plus number or branch). */
  findTask(target: WebhookTarget): Promise<string | undefined>;
}

export interface ReviewIntakeDeps {
  config: Pick<
    AutodevConfig,
    'high_risk_approvals' | 'max_review_rounds' | 'git' | 'secrets' | 'update_waiting_prs'
  >;
  store: Store;
  forge: Forge;
  metrics: Pick<AutodevMetrics, 'mergesTotal' | 'revertsTotal' | 'tasksSuccessTotal'>;
  workspaces: WorkspaceManager;
  git: WorkspaceGit;
  log: Logger;
  /**
   * Wakes the engine: a requested round is a queued task, and a merged or closed one ends its
   * workflow (temporal). The id when one task changed; none when several may have.
   */
  poke(taskId?: string): void;
  /**
   * Resolves once this process's scheduler no longer runs the task (its run and the release of its
   * worktree are over); at once when it does not run it here.
   */
  settled?(taskId: string): Promise<void>;
}

export function createReviewIntake(deps: ReviewIntakeDeps): ReviewIntake {
  const { store, forge } = deps;
  const isAllowed = createReviewerCheck(deps.config.git.reviewers, forge.id, deps.config.secrets.users);
  const inFlight = new Map<string, Promise<SyncOutcome>>();
  const lastChecks = new Map<string, ReviewerCheck>();
  const remember = (taskId: string, check: ReviewerCheck) => {
    lastChecks.delete(taskId);
    lastChecks.set(taskId, check);
    const oldest = lastChecks.keys().next().value;
    if (lastChecks.size > REMEMBERED_CHECKS && oldest !== undefined) lastChecks.delete(oldest);
  };

  /**
   * The forge's acts not yet recorded; the local forge's are autodev's own rows already. `on`: a
   * multi-repo task's consumer pull request they were made on (recorded with its repository).
   */
  const recordItems = async (
    task: Task,
    items: readonly ForgeReviewItem[],
    check: ReviewerCheck,
    on?: PullRequest,
  ) => {
    if (forge.id === 'local') return;
    const repo = on ? reviewRepoOf(on) : null;
    for (const item of items) {
      const stored = await store.prReviews.appendOnce({
        task_id: task.id,
        kind: item.kind,
        by: item.by,
        comment: item.body,
        forge_item_id: forgeItemIdOf(repo, item),
        path: item.path ?? null,
        line: item.line ?? null,
        ...(repo ? { repo } : {}),
      });
      if (stored) {
        await store.events.append(task.id, REVIEW_EVENT_OF[item.kind], reviewEventData(stored, check));
      }
    }
  };

  const reviewEventData = (review: PrReview, check: ReviewerCheck) => ({
    by: review.by,
    comment: review.comment,
    review_id: review.id,
    ...(review.forge_item_id ? { forge_item_id: review.forge_item_id } : {}),
    ...(review.path ? { path: review.path, line: review.line } : {}),
    ...(review.repo ? { repo: review.repo } : {}),
    ...(whyIgnored(review, check) ? { ignored: whyIgnored(review, check) } : {}),
  });

  const latestDecision = async (taskId: string) => {
    const events = await store.events.list(taskId);
    const last = events.filter((e) => e.type === 'policy.decision' && Array.isArray(e.data.deny)).at(-1);
    const deny = (last?.data.deny ?? []) as { code?: unknown }[];
    return {
      allow: last?.data.allow === true,
      fallback: last?.data.fallback === true,
      denyCodes: deny.map((d) => String(d.code)),
    };
  };

  /**
   * Pushes the pull request's head to its base through the forge, from a worktree made for it; when
   * the base moved past the commit the change sits on, merges nothing and says where the base is now
   * (the change is brought up to date first: base-update.ts). `begin` is the merge's commit point.
   */
  const mergeThroughForge = async (
    pr: PullRequest,
    begin: () => Promise<boolean>,
  ): Promise<{ moved: true; base: string } | { cancelled: true } | { result: MergeResult }> => {
    // A review can arrive the moment the task reaches awaiting_review, while the scheduler still
    // releases its worktree: the merge's own worktree waits for that release, never races it.
    await deps.settled?.(pr.task_id);
    // The task's worktree was released when it reached awaiting_review: a fresh one at the head is made.
    const workspace = await deps.workspaces.prepare({
      taskId: pr.task_id,
      repo: pr.repo,
      baseBranch: pr.base_branch,
      branch: pr.branch,
    });
    try {
      const base = await currentBaseOf(store, pr.task_id);
      if (base !== undefined && workspace.baseCommit !== base) {
        return { moved: true, base: workspace.baseCommit };
      }
      if (!(await begin())) return { cancelled: true };
      await deps.git.resetTo(workspace.dir, pr.head_commit);
      return { result: await forge.merge({ pullRequest: pr, workspaceDir: workspace.dir }) };
    } finally {
      await deps.workspaces.release(pr.task_id);
    }
  };

  /** The approved change's base moved: queued to be brought up to date, unless that already failed there. */
  const updateFirst = async (task: Task, base: string): Promise<SyncOutcome> => {
    const failed = await failedUpdateAt(store, task.id, base);
    if (failed) return { outcome: 'waiting', reason: failed };
    const reason = `approved, but base branch ${task.base_branch} moved to ${base.slice(0, 12)}: the change is brought up to date (rebase, tests, checks, policy) before its merge`;
    if (await requestBaseUpdate(store, task, { base, reason })) deps.poke(task.id);
    return { outcome: 'base_update_requested', base };
  };

  /** Ends the task once (the winner of a race); a merge is counted, and a merged revert as a revert. */
  const end = async (task: Task, to: 'merged' | 'closed', data: Record<string, unknown>) => {
    if (!(await store.tasks.transition(task.id, 'awaiting_review', to, null))) return false;
    await store.events.append(task.id, to === 'merged' ? 'pr.merged' : 'pr.closed', data);
    await store.events.append(task.id, 'task.status_changed', { from: 'awaiting_review', to });
    deps.poke(task.id);
    if (to === 'merged') {
      deps.metrics.mergesTotal.inc();
      const mergeCommit = typeof data.merge_commit === 'string' ? data.merge_commit : undefined;
      if (deps.config.update_waiting_prs && mergeCommit) {
        // The merge is done whatever happens here: a failure to queue the others is logged, not thrown.
        const queued = await updateWaitingPullRequests(store, task, mergeCommit).catch((err: unknown) => {
          deps.log.warn({ taskId: task.id, err }, 'could not queue the updates of the waiting pull requests');
          return 0;
        });
        if (queued > 0) deps.poke();
      }
      if (task.reverts_task_id) {
        deps.metrics.revertsTotal.inc();
        await store.events.append(task.reverts_task_id, 'task.reverted', {
          revert_task_id: task.id,
          merge_commit: data.merge_commit,
        });
      }
    }
    return true;
  };

  const act = async (task: Task, pr: PullRequest, verdict: ReviewVerdict): Promise<SyncOutcome> => {
    switch (verdict.action) {
      case 'merge': {
        // A multi-repo task's pull requests merge together, in dependency order, or not at all: the
        // scheduler's merge run does it, with a worktree per repository and reverts that resume.
        if (task.repos.length > 1) {
          const override = verdict.override
            ? { override: { by: verdict.override.by, comment: verdict.override.comment } }
            : {};
          if (await requestMultiRepoMerge(store, task, { approvers: verdict.approvers, ...override })) {
            deps.poke(task.id);
          }
          return { outcome: 'merge_requested' };
        }
        const attempt = await mergeThroughForge(pr, () => store.tasks.beginMerge(task.id));
        if ('moved' in attempt) return updateFirst(task, attempt.base);
        if ('cancelled' in attempt) {
          return { outcome: 'waiting', reason: 'a cancel was requested before the merge' };
        }
        const { result } = attempt;
        if (!result.merged) {
          throw new AutodevError('PR_NOT_MERGEABLE', result.reason, { details: { reason: 'forge_refused' } });
        }
        await store.pullRequests.markMerged(task.id, result.mergeCommit);
        // The merge happened: counted before the status change, which stays the trail's last event.
        await countDelivered(store, deps.metrics, task.id, 'merged');
        const by = verdict.approvers.join(', ') || 'policy';
        await end(task, 'merged', {
          merge_commit: result.mergeCommit,
          by,
          approvers: verdict.approvers,
          ...(verdict.override
            ? { override_by: verdict.override.by, override_reason: verdict.override.comment }
            : {}),
        });
        return { outcome: 'merged', by };
      }
      case 'round': {
        const requested = await store.reviewRounds.request({
          task_id: task.id,
          round: verdict.round,
          through_review_id: verdict.through,
          from_commit: pr.head_commit,
        });
        // The loser of a race (a webhook and a poll reporting the same review) leaves it to the winner.
        if (requested && (await store.tasks.transition(task.id, 'awaiting_review', 'queued', null))) {
          await store.events.append(task.id, 'review.round_requested', {
            round: verdict.round,
            comments: verdict.comments.length,
            review_ids: verdict.comments.map((c) => c.id),
          });
          await store.events.append(task.id, 'task.status_changed', {
            from: 'awaiting_review',
            to: 'queued',
          });
          deps.poke(task.id);
        }
        return { outcome: 'round_requested', round: verdict.round };
      }
      case 'rounds_exhausted': {
        const key = `rounds-exhausted-${verdict.rounds}`;
        const events = await store.events.list(task.id);
        const told = events.some((e) => e.type === 'review.rounds_exhausted' && e.data.key === key);
        if (!told) {
          const message = `review rounds exhausted: ${verdict.rounds} of [autodev] max_review_rounds = ${deps.config.max_review_rounds} spent; the new review comments wait for a human`;
          await forge.comment(pr, key, `<!-- autodev:${key} -->\n${message}`);
          await store.tasks.transition(task.id, 'awaiting_review', 'awaiting_review', {
            code: 'REVIEW_ROUNDS_EXHAUSTED',
            message,
          });
          await store.events.append(task.id, 'review.rounds_exhausted', {
            key,
            rounds: verdict.rounds,
            message,
          });
        }
        return { outcome: 'rounds_exhausted' };
      }
      case 'wait':
        return { outcome: 'waiting', reason: verdict.reason };
    }
  };

  const syncOnce = async (taskId: string): Promise<SyncOutcome> => {
    const task = await store.tasks.get(taskId);
    if (!task) throw new AutodevError('TASK_NOT_FOUND', `no task with id ${taskId}`);
    if (task.status !== 'awaiting_review') return { outcome: 'not_awaiting_review', status: task.status };
    const pr = await store.pullRequests.getByTask(taskId);
    if (!pr) throw new AutodevError('PR_NOT_FOUND', `task ${taskId} has no pull request`);
    if (task.repos.length > 1) return syncMultiRepo(task, pr);
    const activity = await forge.readActivity(pr);
    // Who counts is decided with what the forge says now: the author, and (reviewers empty) who may write.
    const reported = activity.items.map((i) => ({
      by: i.by,
      kind: i.kind,
      forge_item_id: i.id,
      comment: i.body,
    }));
    const check = await reviewerCheckFor(
      deps,
      pr,
      [...(await store.prReviews.list(taskId)), ...reported],
      activity.author,
    );
    remember(taskId, check);
    await recordItems(task, activity.items, check);

    // A human merged or closed it on the forge: noticed, and the task ends the same way.
    if (activity.state === 'merged') {
      const mergeCommit = activity.mergeCommit ?? activity.headCommit;
      if (pr.status !== 'merged') await store.pullRequests.markMerged(taskId, mergeCommit);
      await countDelivered(store, deps.metrics, taskId, 'merged');
      await end(task, 'merged', { merge_commit: mergeCommit, by: 'forge' });
      return { outcome: 'merged', by: 'forge' };
    }
    if (activity.state === 'closed') {
      if (pr.status !== 'closed') await store.pullRequests.setStatus(taskId, 'closed');
      await end(task, 'closed', { by: 'forge' });
      return { outcome: 'closed', by: 'forge' };
    }

    const verdict = decideReview({
      risk_tier: task.risk_tier,
      reviews: await store.prReviews.list(taskId),
      rounds: await store.reviewRounds.list(taskId),
      decision: await latestDecision(taskId),
      isAllowed: check,
      highRiskApprovals: deps.config.high_risk_approvals,
      maxReviewRounds: deps.config.max_review_rounds,
    });
    return act(task, pr, verdict);
  };

  /** Marks one of the task's pull requests as the forge reports it now. */
  const setStatusOf = async (pr: PullRequest, status: 'merged' | 'closed', mergeCommit?: string) => {
    const key = { taskId: pr.task_id, repo: pr.repo, branch: pr.branch };
    if (status === 'merged' && mergeCommit) {
      if (pr.role) await store.pullRequests.markRepoMerged(key, mergeCommit);
      else await store.pullRequests.markMerged(pr.task_id, mergeCommit);
    } else if (pr.role) {
      await store.pullRequests.setRepoStatus(key, status);
    } else {
      await store.pullRequests.setStatus(pr.task_id, status);
    }
  };

  /**
   * A multi-repo task: every open pull request's activity is read (each with its own reviewer check:
   * a consumer's author and permissions are of its repository), a human's close of any closes the
   * task and the others, a human's merge is recorded, and the verdict is over all of them
   * (multi-repo-rules.ts): all approved queues the merge run.
   */
  const syncMultiRepo = async (task: Task, library: PullRequest): Promise<SyncOutcome> => {
    const all = [
      library,
      ...(await store.pullRequests.listOfTask(task.id)).filter((p) => p.role === 'consumer'),
    ];
    const stored = await store.prReviews.list(task.id);
    const checks = new Map<string | null, ReviewerCheck>();
    const reads: { pr: PullRequest; activity: PullRequestActivity }[] = [];
    for (const pr of all.filter((p) => p.status === 'open')) {
      const activity = await forge.readActivity(pr);
      const repo = reviewRepoOf(pr);
      const reported = activity.items.map((i) => ({
        by: i.by,
        kind: i.kind,
        forge_item_id: forgeItemIdOf(repo, i),
        comment: i.body,
        repo,
      }));
      const check = await reviewerCheckFor(
        deps,
        pr,
        [...reviewsOf(stored, pr), ...reported],
        activity.author,
      );
      checks.set(repo, check);
      reads.push({ pr, activity });
    }
    // An act through the API is about the whole task: the library's check (its author) judges it.
    const whyNot = (r: Parameters<ReviewerCheck>[0]) =>
      (
        checks.get(r.forge_item_id === null ? null : (r.repo ?? null)) ??
        checks.get(null) ??
        isAllowed
      ).whyNot(r);
    const check: ReviewerCheck = Object.assign((r: Parameters<ReviewerCheck>[0]) => whyNot(r) === undefined, {
      whyNot,
    });
    remember(task.id, check);
    for (const { pr, activity } of reads)
      await recordItems(task, activity.items, check, pr.role ? pr : undefined);

    // A human closed one on the forge: the change cannot land whole, so the task and the others close.
    const closed = reads.find((r) => r.activity.state === 'closed');
    if (closed) {
      await setStatusOf(closed.pr, 'closed');
      await closeOthers(all, closed.pr, `its pull request in ${closed.pr.repo} was closed on the forge`);
      await end(task, 'closed', { by: 'forge', repo: closed.pr.repo });
      return { outcome: 'closed', by: 'forge' };
    }
    // A human merged one: recorded; the merge run skips it, and the task is merged when all are.
    for (const { pr, activity } of reads.filter((r) => r.activity.state === 'merged')) {
      const mergeCommit = activity.mergeCommit ?? activity.headCommit;
      await setStatusOf(pr, 'merged', mergeCommit);
      pr.status = 'merged';
      pr.merge_commit = mergeCommit;
      await store.events.append(task.id, 'pr.repo_merged', {
        repo: pr.repo,
        role: pr.role ?? 'library',
        merge_commit: mergeCommit,
        by: 'forge',
      });
    }
    if (all.every((p) => p.status === 'merged')) {
      await countDelivered(store, deps.metrics, task.id, 'merged');
      await end(task, 'merged', { merge_commit: library.merge_commit, by: 'forge' });
      return { outcome: 'merged', by: 'forge' };
    }

    const verdict = decideMultiRepoReview(
      {
        risk_tier: task.risk_tier,
        reviews: await store.prReviews.list(task.id),
        rounds: await store.reviewRounds.list(task.id),
        decision: await latestDecision(task.id),
        isAllowed: check,
        highRiskApprovals: deps.config.high_risk_approvals,
        maxReviewRounds: deps.config.max_review_rounds,
      },
      all.filter((p) => p.status === 'open'),
    );
    return act(task, library, verdict);
  };

  /** Closes the task's other open pull requests, each told why. */
  const closeOthers = async (all: readonly PullRequest[], closed: PullRequest, why: string) => {
    for (const pr of all) {
      if (pr === closed || pr.status !== 'open') continue;
      const key = 'closed-with-task';
      await forge
        .comment(pr, key, `<!-- autodev:${key} -->\nClosed with autodev task ${pr.task_id}: ${why}.`)
        .catch((err: unknown) => deps.log.warn({ taskId: pr.task_id, err }, 'could not comment the close'));
      await forge.close(pr);
      await setStatusOf(pr, 'closed');
    }
  };

  return {
    isAllowed,
    checkFor: (taskId) => lastChecks.get(taskId) ?? isAllowed,
    sync(taskId) {
      const running = inFlight.get(taskId);
      if (running) return running;
      const run = syncOnce(taskId)
        .catch((error: unknown) => {
          const e = toAutodevError(error);
          deps.log.warn({ taskId, code: e.code, err: e.message }, 'review sync failed');
          throw e;
        })
        .finally(() => inFlight.delete(taskId));
      inFlight.set(taskId, run);
      return run;
    },
    async findTask(target) {
      // A multi-repo task's consumer pull requests are found too: a review there is the task's.
      const prs = [
        ...(await store.pullRequests.list({ status: 'open', limit: 200 })),
        ...(await store.pullRequests.listRepo({ status: 'open', role: 'consumer', limit: 200 })),
      ];
      const match = prs.find(
        (p) =>
          safeLocate(forge, p.repo) === target.repo.path &&
          ((target.number !== undefined && p.number === target.number) ||
            (target.branch !== undefined && p.branch === target.branch)),
      );
      return match?.task_id;
    },
  };
}

function safeLocate(forge: Forge, repo: string): string | undefined {
  try {
    return forge.locate(repo).path;
  } catch {
    return undefined;
  }
}

/**
 * The id a forge act is recorded under. A consumer's pull request is another repository's: its forge
 * ids may repeat the library's (GitLab and Gitea number notes per project), and the store keeps one
 * act per (task, id), so a consumer's are prefixed with its repository.
 */
function forgeItemIdOf(repo: string | null, item: Pick<ForgeReviewItem, 'id'>): string {
  return repo ? `${repo}#${item.id}` : item.id;
}
