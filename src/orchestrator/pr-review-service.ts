import type { AutodevConfig } from '../config/schema.js';
import type { EventType, PrReview, PrReviewKind, PullRequest, Task, TaskStatus } from '../domain/task.js';
import { AutodevError } from '../errors.js';
import type { Forge } from '../forges/types.js';
import type { AutodevMetrics } from '../metrics/registry.js';
import type { Store } from '../store/index.js';
import type { WorkspaceGit, WorkspaceManager } from '../workspace/types.js';

export interface ReviewAction {
  by: string;
  comment?: string;
}

export interface PullRequestReviewView {
  pr: PullRequest;
  task: Task;
  reviews: PrReview[];
  /** Distinct reviewers who approved. */
  approvals: number;
  /** Approvals the task's risk tier needs before a merge. */
  approvals_required: number;
}

export interface PrReviewService {
  list(filter: { status?: PullRequest['status']; limit: number }): Promise<PullRequest[]>;
  show(taskId: string): Promise<PullRequestReviewView>;
  approve(taskId: string, action: ReviewAction): Promise<PullRequestReviewView>;
  requestChanges(taskId: string, action: ReviewAction): Promise<PullRequestReviewView>;
  comment(taskId: string, action: ReviewAction): Promise<PullRequestReviewView>;
  merge(taskId: string, action: ReviewAction): Promise<PullRequestReviewView>;
  close(taskId: string, action: ReviewAction): Promise<PullRequestReviewView>;
}

export interface PrReviewServiceDeps {
  config: Pick<AutodevConfig, 'high_risk_approvals'>;
  store: Store;
  metrics: Pick<AutodevMetrics, 'mergesTotal'>;
  forge: Forge;
  workspaces: WorkspaceManager;
  git: WorkspaceGit;
}

const EVENT_OF: Record<PrReviewKind, EventType> = {
  approval: 'pr.approved',
  changes_requested: 'pr.changes_requested',
  comment: 'pr.commented',
};

/**
 * Human review of the pull requests autodev leaves awaiting_review: approvals, change requests and
 * comments are recorded (append-only, each with an audit event), and a merge happens only once the
 * task's risk tier has its approvals. A change request is recorded only: it does not start a new round.
 */
export function createPrReviewService(deps: PrReviewServiceDeps): PrReviewService {
  const { store } = deps;

  const approvalsRequired = (task: Task) => (task.risk_tier === 'high' ? deps.config.high_risk_approvals : 1);

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
    // One reviewer approving twice is one approval: the tier asks for that many people.
    const approvers = new Set(reviews.filter((r) => r.kind === 'approval').map((r) => r.by));
    return { pr, task, reviews, approvals: approvers.size, approvals_required: approvalsRequired(task) };
  };

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

  const record = async (taskId: string, kind: PrReviewKind, action: ReviewAction) => {
    const { pr } = await load(taskId);
    requireOpen(pr);
    const review = await store.prReviews.append({
      task_id: taskId,
      kind,
      by: action.by,
      comment: action.comment ?? null,
    });
    await store.events.append(taskId, EVENT_OF[kind], {
      by: review.by,
      comment: review.comment,
      review_id: review.id,
    });
    return show(taskId);
  };

  const finish = async (task: Task, status: TaskStatus) => {
    await store.tasks.update(task.id, { status, finished_at: new Date().toISOString() });
    await store.events.append(task.id, 'task.status_changed', { from: task.status, to: status });
  };

  /** Pushes the pull request's head to its base through the forge, from a worktree made for it. */
  const mergeThroughForge = async (pr: PullRequest) => {
    // The task's worktree was released when it reached awaiting_review: a fresh one at the head is made.
    const workspace = await deps.workspaces.prepare({
      taskId: pr.task_id,
      repo: pr.repo,
      baseBranch: pr.base_branch,
      branch: pr.branch,
    });
    try {
      await deps.git.resetTo(workspace.dir, pr.head_commit);
      return await deps.forge.merge({ pullRequest: pr, workspaceDir: workspace.dir });
    } finally {
      await deps.workspaces.release(pr.task_id);
    }
  };

  return {
    list: (filter) => store.pullRequests.list(filter),
    show,
    approve: (taskId, action) => record(taskId, 'approval', action),
    requestChanges: (taskId, action) => record(taskId, 'changes_requested', action),
    comment: (taskId, action) => record(taskId, 'comment', action),

    async merge(taskId, action) {
      const view = await show(taskId);
      const { task, pr } = view;
      requireOpen(pr);
      if (task.status !== 'awaiting_review') {
        throw new AutodevError('PR_NOT_MERGEABLE', `task ${taskId} is ${task.status}, not awaiting_review`, {
          details: { status: task.status },
        });
      }
      if (view.approvals < view.approvals_required) {
        throw new AutodevError(
          'PR_NOT_MERGEABLE',
          `a ${task.risk_tier}-risk pull request needs ${view.approvals_required} approval(s) from distinct reviewers before it merges; it has ${view.approvals}`,
          { details: { approvals: view.approvals, approvals_required: view.approvals_required } },
        );
      }
      const result = await mergeThroughForge(pr);
      if (!result.merged) {
        throw new AutodevError('PR_NOT_MERGEABLE', result.reason, {
          details: { reason: 'not_fast_forward' },
        });
      }
      deps.metrics.mergesTotal.inc();
      await store.events.append(taskId, 'pr.merged', {
        merge_commit: result.mergeCommit,
        by: action.by,
        comment: action.comment ?? null,
      });
      await finish(task, 'merged');
      return show(taskId);
    },

    async close(taskId, action) {
      const { task, pr } = await load(taskId);
      requireOpen(pr);
      await store.pullRequests.setStatus(taskId, 'closed');
      await store.events.append(taskId, 'pr.closed', { by: action.by, comment: action.comment ?? null });
      if (task.status === 'awaiting_review') await finish(task, 'closed');
      return show(taskId);
    },
  };
}
