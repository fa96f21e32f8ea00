import type { GithubApi } from './github-client.js';
import type { ForgeReviewItem, PullRequestActivity } from './types.js';

// A type alias, not an interface: octokit's parameters want an index signature.
type PullParams = { owner: string; repo: string; pull_number: number };

interface ActivityOptions {
  maxPages: number;
  /** autodev's own comments (they carry its marker) are not review input. */
  isOwn: (body: string | null | undefined) => boolean;
}

const REVIEW_KINDS: Record<string, ForgeReviewItem['kind'] | undefined> = {
  APPROVED: 'approval',
  CHANGES_REQUESTED: 'changes_requested',
  COMMENTED: 'comment',
  // PENDING (a draft only its author sees) and DISMISSED are no reviewer's act.
};

/**
 * The pull request's state and head, with its reviews, review comments (on diff lines) and
 * conversation comments, oldest first. Ids are GitHub's, prefixed by kind, so a webhook and a poll
 * reporting the same act yield the same id.
 */
export async function readGithubActivity(
  api: GithubApi,
  params: PullParams,
  options: ActivityOptions,
): Promise<PullRequestActivity> {
  const issue = { owner: params.owner, repo: params.repo, issue_number: params.pull_number };
  const bounded = <T>(response: { data: T[] }, done: () => void, page: { n: number }): T[] => {
    page.n += 1;
    if (page.n >= options.maxPages) done();
    return response.data;
  };
  const [pull, reviews, reviewComments, issueComments] = await Promise.all([
    api.rest.pulls.get(params),
    api.paginate(api.rest.pulls.listReviews, { ...params, per_page: 100 }, (r, done) =>
      bounded(r, done, { n: 0 }),
    ),
    api.paginate(api.rest.pulls.listReviewComments, { ...params, per_page: 100 }, (r, done) =>
      bounded(r, done, { n: 0 }),
    ),
    api.paginate(api.rest.issues.listComments, { ...issue, per_page: 100 }, (r, done) =>
      bounded(r, done, { n: 0 }),
    ),
  ]);
  const items: ForgeReviewItem[] = [];
  for (const review of reviews) {
    const kind = REVIEW_KINDS[review.state];
    if (!kind || !review.submitted_at) continue;
    items.push({
      id: `review-${review.id}`,
      kind,
      by: review.user?.login ?? 'ghost',
      body: review.body ?? '',
      created_at: review.submitted_at,
      commit: review.commit_id ?? undefined,
    });
  }
  for (const comment of reviewComments) {
    const line = comment.line ?? comment.original_line;
    items.push({
      id: `review-comment-${comment.id}`,
      kind: 'comment',
      by: comment.user?.login ?? 'ghost',
      body: comment.body,
      created_at: comment.created_at,
      path: comment.path,
      ...(line ? { line } : {}),
      commit: comment.commit_id,
    });
  }
  for (const comment of issueComments) {
    if (options.isOwn(comment.body)) continue;
    items.push({
      id: `issue-comment-${comment.id}`,
      kind: 'comment',
      by: comment.user?.login ?? 'ghost',
      body: comment.body ?? '',
      created_at: comment.created_at,
    });
  }
  items.sort((a, b) => a.created_at.localeCompare(b.created_at));
  const state = pull.data.merged ? 'merged' : pull.data.state === 'closed' ? 'closed' : 'open';
  return {
    state,
    headCommit: pull.data.head.sha,
    ...(pull.data.merge_commit_sha && pull.data.merged ? { mergeCommit: pull.data.merge_commit_sha } : {}),
    ...(pull.data.user?.login ? { author: pull.data.user.login } : {}),
    items,
  };
}
