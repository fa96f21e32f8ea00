import type { AutodevConfig } from '../../config/schema.js';
import type { PrReview, PrReviewKind, PullRequest, Task } from '../../domain/task.js';
import { AutodevError } from '../../errors.js';
import type { Forge } from '../../forges/types.js';
import type { Store } from '../../store/index.js';
import { REVIEW_EVENT_OF, type ReviewIntake } from './intake.js';
import { callerLabel, type Caller } from '../../governance/identity.js';
import { approvalsRequired, roleAllows, rolesNeededFor, whyIgnored } from './rules.js';
import { reviewsOf } from './multi-repo-rules.js';
import { pendingMultiRepoMerge } from '../multi-repo-merge.js';

export interface ReviewAction {
  /** Who acts, from the bearer token (API) or AUTODEV_TOKEN (CLI): the identity an act is recorded under. */
  caller: Caller;
  /** The name the body gave; recorded beside an unidentified caller's act, never trusted as identity. */
  claimedBy?: string;
  comment?: string;
}

export interface PullRequestReviewView {
  pr: PullRequest;
  task: Task;
  reviews: PrReview[];
  /** Distinct allowed reviewers who approved since the last review round. */
  approvals: number;
  /** Approvals the task's risk tier needs before a merge (of each pull request of a multi-repo task). */
  approvals_required: number;
  /**
   * Every pull request of the task, the library's first (a task of one repository: its one), each with
   * its role and the approvals that count for it: its own forge reviews and every act through the API.
   */
  pull_requests: (Omit<PullRequest, 'role'> & {
    role: 'library' | 'consumer' | 'revert';
    approvals: number;
  })[];
  /** Why the act just made does not count (recorded in the audit trail, and ignored). */
  ignored?: string;
}

export interface PrReviewService {
  list(filter: { status?: PullRequest['status']; limit: number }): Promise<PullRequest[]>;
  show(taskId: string): Promise<PullRequestReviewView>;
  approve(taskId: string, action: ReviewAction): Promise<PullRequestReviewView>;
  requestChanges(taskId: string, action: ReviewAction): Promise<PullRequestReviewView>;
  comment(taskId: string, action: ReviewAction): Promise<PullRequestReviewView>;
  /** An allowed reviewer accepts what policy denied (high risk, failing checks), with a reason. */
  override(taskId: string, action: ReviewAction): Promise<PullRequestReviewView>;
  merge(taskId: string, action: ReviewAction): Promise<PullRequestReviewView>;
  close(taskId: string, action: ReviewAction): Promise<PullRequestReviewView>;
}

export interface PrReviewServiceDeps {
  config: Pick<AutodevConfig, 'high_risk_approvals' | 'secrets' | 'git'>;
  store: Store;
  intake: ReviewIntake;
  forge: Forge;
}

/**
 * Human review through autodev's API (the local forge's review, and overrides on any forge): each act
 * is recorded (append-only, with an audit event) and then handed to the review intake, which decides
 * as it does for a forge's webhook: enough approvals merge, a change request starts a review round.
 */
export function createPrReviewService(deps: PrReviewServiceDeps): PrReviewService {
  const { store, intake } = deps;

  const load = async (taskId: string) => {
    const task = await store.tasks.get(taskId);
    if (!task) throw new AutodevError('TASK_NOT_FOUND', `no task with id ${taskId}`);
    const pr = await store.pullRequests.getByTask(taskId);
    if (!pr) {
      throw new AutodevError('PR_NOT_FOUND', `task ${taskId} has no pull request (status ${task.status})`);
    }
    return { task, pr };
  };

  const show = async (taskId: string): Promise<PullRequestReviewView> => {
    const { task, pr } = await load(taskId);
    const reviews = await store.prReviews.list(taskId);
    const watermark = (await store.reviewRounds.list(taskId)).at(-1)?.through_review_id ?? 0;
    // One reviewer approving twice is one approval: the tier asks for that many people.
    const isAllowed = intake.checkFor(taskId);
    const approversOf = (of: PullRequest) =>
      new Set(
        reviewsOf(reviews, of)
          .filter((r) => r.kind === 'approval' && r.id > watermark && isAllowed(r))
          .map((r) => r.by),
      ).size;
    const pullRequests = (await store.pullRequests.listOfTask(taskId)).map((p) => ({
      ...p,
      role: p.role ?? ('library' as const),
      approvals: p.role === 'revert' ? 0 : approversOf(p),
    }));
    // A multi-repo task is as approved as its least approved pull request still open.
    const counted = pullRequests.filter(
      (p) => p.role !== 'revert' && (p.status === 'open' || p === pullRequests[0]),
    );
    return {
      pr,
      task,
      reviews,
      approvals: task.repos.length > 1 ? Math.min(...counted.map((p) => p.approvals)) : approversOf(pr),
      approvals_required: approvalsRequired(task.risk_tier, deps.config.high_risk_approvals),
      pull_requests: pullRequests,
    };
  };

  /** The pull requests of the task still open (a multi-repo task's library and consumers). */
  const openOfTask = async (taskId: string) =>
    (await store.pullRequests.listOfTask(taskId)).filter((p) => p.role !== 'revert' && p.status === 'open');

  const requireOpen = (pr: PullRequest) => {
    if (pr.status !== 'open') {
      throw new AutodevError(
        'PR_NOT_MERGEABLE',
        `the pull request of task ${pr.task_id} is ${pr.status}, not open`,
        {
          details: { status: pr.status },
        },
      );
    }
  };

  /**
   * The name an act is recorded under: the named user's; an unidentified caller's is marked so that
   * it can never be taken for a user's (user names have no ":"), and so never counts.
   */
  const recordedBy = (action: ReviewAction): string =>
    action.caller.kind === 'user'
      ? action.caller.name
      : `unverified:${action.claimedBy ?? callerLabel(action.caller)}`;

  const record = async (taskId: string, kind: PrReviewKind, action: ReviewAction) => {
    const { task, pr } = await load(taskId);
    // A multi-repo task's act is about all its pull requests: one of them open is enough.
    if (task.repos.length <= 1 || (await openOfTask(taskId)).length === 0) requireOpen(pr);
    const review = await store.prReviews.append({
      task_id: taskId,
      kind,
      by: recordedBy(action),
      comment: action.comment ?? null,
    });
    const ignored = whyIgnored(review, intake.checkFor(taskId));
    await store.events.append(taskId, REVIEW_EVENT_OF[kind], {
      by: review.by,
      comment: review.comment,
      review_id: review.id,
      identity: action.caller.kind,
      ...(ignored ? { ignored } : {}),
    });
    return ignored;
  };

  /** Records the act, then lets the intake act on it as it would on a forge's report. */
  const recordAndSync = async (taskId: string, kind: PrReviewKind, action: ReviewAction) => {
    const ignored = await record(taskId, kind, action);
    await intake.sync(taskId);
    return { ...(await show(taskId)), ...(ignored ? { ignored } : {}) };
  };

  /**
   * Approving and overriding need a named user with the role for it: an approval given as any name
   * the body chose would let one caller approve as two people.
   */
  const requireIdentity = (kind: 'approval' | 'override', action: ReviewAction) => {
    const act = kind === 'approval' ? 'approve' : 'override policy';
    const { caller } = action;
    if (caller.kind !== 'user') {
      const why =
        caller.kind === 'service'
          ? 'this token (AUTODEV_API_TOKENS) names no one'
          : deps.config.secrets.users.length === 0
            ? 'no [[autodev.auth.users]] are configured'
            : 'the request carries no user token';
      throw new AutodevError(
        'IDENTITY_REQUIRED',
        `to ${act}, send the bearer token of an [[autodev.auth.users]] entry with role ${rolesNeededFor(kind).join(' or ')}: ${why}`,
        { details: { identity: caller.kind } },
      );
    }
    if (!roleAllows(caller.roles, kind)) {
      throw new AutodevError(
        'REVIEWER_NOT_ALLOWED',
        `${caller.name} may not ${act}: needs role ${rolesNeededFor(kind).join(' or ')}, has ${caller.roles.join(', ')}`,
        { details: { user: caller.name, roles: caller.roles } },
      );
    }
    if (!intake.isAllowed({ by: caller.name, kind, forge_item_id: null })) {
      // On a hosted forge, say who does count rather than answer 0 approvals.
      const hosted = deps.forge.id !== 'local';
      const noReviewers = deps.config.git.reviewers.length === 0;
      const why = !hosted
        ? `${caller.name} is not in [autodev.git] reviewers`
        : noReviewers
          ? `with [autodev.git] reviewers empty, only reviews on the ${deps.forge.id} forge itself by accounts with write permission on the repository count: review there`
          : `on the ${deps.forge.id} forge only [autodev.git] reviewers count (its own reviews, and their acts here), and ${caller.name} is not one of them`;
      throw new AutodevError('REVIEWER_NOT_ALLOWED', `${caller.name} may not ${act}: ${why}`, {
        details: { user: caller.name, forge: deps.forge.id },
      });
    }
  };

  /**
   * A multi-repo task merges through the scheduler's merge run: when every pull request is approved
   * the task is queued for it and the view answers; else PR_NOT_MERGEABLE says what each one lacks.
   */
  const mergeMultiRepo = async (task: Task): Promise<PullRequestReviewView> => {
    if (task.status === 'merged' || (await pendingMultiRepoMerge(store, task.id)) !== undefined) {
      return show(task.id);
    }
    if (task.status !== 'awaiting_review') {
      throw new AutodevError('PR_NOT_MERGEABLE', `task ${task.id} is ${task.status}, not awaiting_review`, {
        details: { status: task.status },
      });
    }
    const outcome = await intake.sync(task.id);
    if (['merge_requested', 'base_update_requested', 'merged'].includes(outcome.outcome))
      return show(task.id);
    const view = await show(task.id);
    const reason = outcome.outcome === 'waiting' ? outcome.reason : `the review asks for ${outcome.outcome}`;
    throw new AutodevError('PR_NOT_MERGEABLE', reason, {
      details: {
        approvals: view.approvals,
        approvals_required: view.approvals_required,
        pull_requests: view.pull_requests
          .filter((p) => p.role !== 'revert')
          .map((p) => ({ repo: p.repo, role: p.role, status: p.status, approvals: p.approvals })),
      },
    });
  };

  return {
    list: (filter) => store.pullRequests.list(filter),
    show,
    async approve(taskId, action) {
      requireIdentity('approval', action);
      return recordAndSync(taskId, 'approval', action);
    },
    requestChanges: (taskId, action) => recordAndSync(taskId, 'changes_requested', action),
    comment: (taskId, action) => recordAndSync(taskId, 'comment', action),

    async override(taskId, action) {
      requireIdentity('override', action);
      if (!action.comment?.trim()) {
        throw new AutodevError('VALIDATION_FAILED', 'comment: expected the reason for the override', {
          details: { field: 'comment' },
        });
      }
      return recordAndSync(taskId, 'override', action);
    },

    /**
     * Merges now when the tier's rules are met (the same rules an approval triggers); a pull request
     * already merged answers as merged, so a merge after an auto-merge is not an error.
     */
    async merge(taskId) {
      const { task, pr } = await load(taskId);
      if (task.repos.length > 1) return mergeMultiRepo(task);
      if (pr.status === 'merged') return show(taskId);
      requireOpen(pr);
      if (task.status !== 'awaiting_review') {
        throw new AutodevError('PR_NOT_MERGEABLE', `task ${taskId} is ${task.status}, not awaiting_review`, {
          details: { status: task.status },
        });
      }
      const outcome = await intake.sync(taskId);
      // The base moved: the task is queued to bring the change up to date, and merges after it.
      if (outcome.outcome === 'base_update_requested') return show(taskId);
      if (outcome.outcome !== 'merged') {
        const view = await show(taskId);
        const reason =
          outcome.outcome === 'waiting' ? outcome.reason : `the review asks for ${outcome.outcome}`;
        throw new AutodevError('PR_NOT_MERGEABLE', reason, {
          details: { approvals: view.approvals, approvals_required: view.approvals_required },
        });
      }
      return show(taskId);
    },

    async close(taskId, action) {
      const { task, pr } = await load(taskId);
      // A multi-repo task's change lands whole or not at all: every pull request still open closes.
      const closing = task.repos.length > 1 ? await openOfTask(taskId) : [pr];
      if (closing.length === 0) requireOpen(pr);
      for (const open of closing) {
        if (open.role === undefined) requireOpen(open);
        await deps.forge.close(open);
        if (open.role) {
          await store.pullRequests.setRepoStatus({ taskId, repo: open.repo, branch: open.branch }, 'closed');
        } else {
          await store.pullRequests.setStatus(taskId, 'closed');
        }
      }
      await store.events.append(taskId, 'pr.closed', {
        by: callerLabel(action.caller),
        identity: action.caller.kind,
        comment: action.comment ?? null,
      });
      if (await store.tasks.transition(task.id, 'awaiting_review', 'closed')) {
        await store.events.append(taskId, 'task.status_changed', { from: 'awaiting_review', to: 'closed' });
      }
      return show(taskId);
    },
  };
}
