import { isAutodevError } from '../errors.js';
import type { RepoAllowlist } from '../governance/allowlist.js';
import { resolveAllowedRepo } from '../governance/repo-access.js';
import type { PrReviewRepository } from '../store/pr-review-repository.js';
import type { PullRequestRepository } from '../store/pull-request-repository.js';
import { parseRepoRef } from '../workspace/repo-ref.js';
import type { WorkspaceGit } from '../workspace/types.js';
import type { Forge } from './types.js';
import type { PullRequest } from '../domain/task.js';

export interface LocalForgeDeps {
  pullRequests: PullRequestRepository;
  prReviews: PrReviewRepository;
  git: WorkspaceGit;
  /** allowlist_repos: the merge push re-checks the repo (a local one by its real path). */
  allowlist: RepoAllowlist;
}

/**
 * The forge for repos with no hosting service (a bare repo path or file:// URL): the branch is pushed
 * to the repo itself, the pull request lives in autodev's store, and a merge fast-forwards the base
 * branch on the repo, refusing when the base moved on (a human must look, as on any forge).
 */
export function createLocalForge(deps: LocalForgeDeps): Forge {
  return {
    id: 'local',

    // Any repo git can reach: the local forge has no hosting service to be on.
    locate(repo) {
      const ref = parseRepoRef(repo);
      const name = ref.normalized.split('/').pop() ?? ref.normalized;
      return { repo, path: ref.normalized, owner: '', name };
    },

    gitAuth: () => undefined,

    async ensurePullRequest(input) {
      const row = {
        task_id: input.taskId,
        forge: 'local',
        repo: input.repo,
        branch: input.branch,
        base_branch: input.baseBranch,
        number: null,
        url: null,
        title: input.title,
        head_commit: input.headCommit,
      } as const;
      if (input.other) {
        const key = { taskId: input.taskId, repo: input.repo, branch: input.branch };
        return (
          (await deps.pullRequests.getRepo(key)) ??
          deps.pullRequests.insertRepoOnce({ ...row, ...input.other })
        );
      }
      return (await deps.pullRequests.getByTask(input.taskId)) ?? deps.pullRequests.insertOnce(row);
    },

    async merge({ pullRequest, workspaceDir }) {
      if (pullRequest.status === 'merged' && pullRequest.merge_commit) {
        return { merged: true, mergeCommit: pullRequest.merge_commit };
      }
      // The repo is re-checked here and git is given its real git directory: a link swapped after
      // submission cannot redirect the merge push.
      const target = await resolveAllowedRepo(parseRepoRef(pullRequest.repo), deps.allowlist);
      try {
        // No force: the push is refused unless it fast-forwards the base branch. A base branch already
        // at (or past) the head is a success: this merge's earlier run, killed before it recorded the
        // merge (its orphaned push may even land while this one runs), or a human who merged it.
        await deps.git.push(workspaceDir, target, pullRequest.base_branch);
      } catch (error) {
        // Only git's refusal is an answer; an unreachable remote or a cancel is not "cannot merge".
        if (!isAutodevError(error, 'GIT_FAILED')) throw error;
        return {
          merged: false,
          reason: `base branch ${pullRequest.base_branch} cannot be fast-forwarded to the pull request: ${error.message}`,
        };
      }
      if (pullRequest.role) {
        const key = { taskId: pullRequest.task_id, repo: pullRequest.repo, branch: pullRequest.branch };
        await deps.pullRequests.markRepoMerged(key, pullRequest.head_commit);
      } else {
        await deps.pullRequests.markMerged(pullRequest.task_id, pullRequest.head_commit);
      }
      return { merged: true, mergeCommit: pullRequest.head_commit };
    },

    // The local pull request's description is the task's last `pr.opened`/`pr.updated` event.
    async updateBody() {},

    // Comments on the local forge are the task's events, which the orchestrator appends itself.
    async comment() {},

    async readActivity(pr) {
      const current = (await storedPullRequest(deps.pullRequests, pr)) ?? pr;
      // A multi-repo task's other pull request has no reviews of its own here: the local forge's are
      // acts through autodev's API, about the whole task, and listed with the library's.
      const reviews = pr.role ? [] : await deps.prReviews.list(pr.task_id);
      return {
        state: current.status,
        headCommit: current.head_commit,
        ...(current.merge_commit ? { mergeCommit: current.merge_commit } : {}),
        items: reviews.map((r) => ({
          id: `local-${r.id}`,
          kind: r.kind,
          by: r.by,
          body: r.comment ?? '',
          created_at: r.created_at,
        })),
      };
    },

    // The local forge has no accounts: its reviews are named users' acts through autodev's API.
    reviewerPermission: () =>
      Promise.resolve({ canWrite: false, level: 'none (the local forge has no accounts)' }),

    async close(pr) {
      if (pr.role) {
        const key = { taskId: pr.task_id, repo: pr.repo, branch: pr.branch };
        await deps.pullRequests.setRepoStatus(key, 'closed');
      } else {
        await deps.pullRequests.setStatus(pr.task_id, 'closed');
      }
    },

    // Reviews on the local forge come through autodev's own authenticated API, never a webhook.
    verifyWebhook: () => Promise.resolve(false),
    webhookTarget: () => undefined,
  };
}

/** The pull request as the store has it now: the task's own, or a multi-repo task's other one. */
function storedPullRequest(
  pullRequests: PullRequestRepository,
  pr: PullRequest,
): Promise<PullRequest | undefined> {
  return pr.role
    ? pullRequests.getRepo({ taskId: pr.task_id, repo: pr.repo, branch: pr.branch })
    : pullRequests.getByTask(pr.task_id);
}
