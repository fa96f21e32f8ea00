import type { PrReviewKind } from '../domain/task.js';
import type { GiteaClient } from './gitea-client.js';
import {
  giteaCommentSchema,
  giteaPullSchema,
  giteaReviewCommentSchema,
  giteaReviewSchema,
} from './gitea-schema.js';
import type { ForgeReviewItem, PullRequestActivity } from './types.js';

const REVIEW_KINDS: Record<string, PrReviewKind> = {
  APPROVED: 'approval',
  REQUEST_CHANGES: 'changes_requested',
  COMMENT: 'comment',
};

/**
 * A pull request's state and review acts on Gitea: submitted reviews (pending and dismissed ones are
 * not acts), their line comments, and the conversation's comments except autodev's own (marked).
 */
export async function readGiteaActivity(
  api: GiteaClient,
  repoPath: string,
  number: number,
): Promise<PullRequestActivity> {
  const pull = await api.get(`${repoPath}/pulls/${number}`, giteaPullSchema);
  const reviews = await api.list(`${repoPath}/pulls/${number}/reviews`, giteaReviewSchema);
  const items: ForgeReviewItem[] = [];
  for (const review of reviews) {
    const kind = REVIEW_KINDS[review.state];
    if (!kind || review.dismissed) continue;
    items.push({
      id: `gitea-review-${review.id}`,
      kind,
      by: review.user?.login ?? '',
      body: review.body,
      created_at: review.submitted_at ?? '',
      ...(review.commit_id ? { commit: review.commit_id } : {}),
    });
    if (!review.comments_count) continue;
    // Unpaged in Gitea's API (no page/limit parameters): one answer holds them all.
    const lineComments = await api.get(
      `${repoPath}/pulls/${number}/reviews/${review.id}/comments`,
      giteaReviewCommentSchema.array(),
    );
    for (const c of lineComments) {
      const line = c.position || c.original_position;
      items.push({
        id: `gitea-review-comment-${c.id}`,
        kind: 'comment',
        by: c.user?.login ?? '',
        body: c.body,
        created_at: c.created_at,
        ...(c.path ? { path: c.path } : {}),
        ...(line ? { line } : {}),
        ...(c.commit_id ? { commit: c.commit_id } : {}),
      });
    }
  }
  const comments = await api.get(`${repoPath}/issues/${number}/comments`, giteaCommentSchema.array());
  for (const c of comments) {
    if (c.body.includes('<!-- autodev:')) continue;
    items.push({
      id: `gitea-comment-${c.id}`,
      kind: 'comment',
      by: c.user?.login ?? '',
      body: c.body,
      created_at: c.created_at,
    });
  }
  items.sort((a, b) => a.created_at.localeCompare(b.created_at));
  return {
    state: pull.merged ? 'merged' : pull.state,
    headCommit: pull.head.sha,
    ...(pull.merged && pull.merge_commit_sha ? { mergeCommit: pull.merge_commit_sha } : {}),
    ...(pull.user?.login ? { author: pull.user.login } : {}),
    items,
  };
}
