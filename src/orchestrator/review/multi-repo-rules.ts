import type { PrReview, PullRequest } from '../../domain/task.js';
import {
  approvalsRequired,
  decideApprovals,
  decideReview,
  type ReviewFacts,
  type ReviewVerdict,
} from './rules.js';

/**
 * A multi-repo task's review: one pull request per changed repository, each needing the tier's
 * approvals. An act through autodev's API (no forge item) is about the whole task and counts for every
 * pull request; a forge's review counts for the pull request it was made on (`repo`: null for the
 * library's). Change requests and comments on any of them start one review round, as for one repository.
 */

/** The pull request a review belongs to: null for the library's (the task's own), else its repository. */
export function reviewRepoOf(pr: Pick<PullRequest, 'repo' | 'role'>): string | null {
  return pr.role ? pr.repo : null;
}

/** The reviews that count for one pull request: its own forge acts and every act through the API. */
export function reviewsOf<R extends Pick<PrReview, 'forge_item_id' | 'repo'>>(
  reviews: readonly R[],
  pr: Pick<PullRequest, 'repo' | 'role'>,
): R[] {
  const repo = reviewRepoOf(pr);
  return reviews.filter((r) => r.forge_item_id === null || (r.repo ?? null) === repo);
}

/** One pull request's standing: the approvals it has since the last round, and what it still needs. */
export interface PullRequestApproval {
  repo: string;
  role: 'library' | 'consumer';
  approvals: number;
  /** Why it cannot merge yet; absent when its approvals (and override) suffice. */
  waiting?: string;
}

/** Each pull request judged alone by its own reviews' approvals (decideApprovals). */
export function approvalsPerPullRequest(
  facts: ReviewFacts,
  prs: readonly Pick<PullRequest, 'repo' | 'role'>[],
): { standing: PullRequestApproval; verdict: ReviewVerdict }[] {
  return prs.map((pr) => {
    const verdict = decideApprovals({ ...facts, reviews: reviewsOf(facts.reviews, pr) });
    const approvals =
      verdict.action === 'wait' ? verdict.approvals : 'approvers' in verdict ? verdict.approvers.length : 0;
    const standing: PullRequestApproval = {
      repo: pr.repo,
      role: pr.role ? 'consumer' : 'library',
      approvals,
      ...(verdict.action === 'wait' ? { waiting: verdict.reason } : {}),
    };
    return { standing, verdict };
  });
}

/**
 * The verdict over every open pull request of the task: a round (or rounds exhausted) when the reviews
 * of any ask for changes, as decideReview says over all of them; a merge when each pull request's own
 * approvals let it merge; else a wait naming each repository and what it still needs. `prs` are the
 * ones not merged yet.
 */
export function decideMultiRepoReview(
  facts: ReviewFacts,
  prs: readonly Pick<PullRequest, 'repo' | 'role'>[],
): ReviewVerdict {
  const overall = decideReview(facts);
  const each = approvalsPerPullRequest(facts, prs);
  const waiting = each.filter((e) => e.standing.waiting !== undefined).map((e) => e.standing);
  if (overall.action === 'round') return overall;
  // No round left: the comments wait for a human, whose approvals on every pull request may still merge.
  if (overall.action === 'rounds_exhausted' && waiting.length > 0) return overall;
  if (waiting.length === 0) {
    const approvers = new Set<string>();
    let override: PrReview | undefined;
    for (const { verdict } of each) {
      if (verdict.action !== 'merge') continue;
      for (const by of verdict.approvers) approvers.add(by);
      override ??= verdict.override;
    }
    return { action: 'merge', approvers: [...approvers], override };
  }
  return {
    action: 'wait',
    reason: waiting.map((p) => `the ${p.role}'s pull request in ${p.repo}: ${p.waiting}`).join('; '),
    approvals: Math.min(...each.map((e) => e.standing.approvals)),
    approvals_required: approvalsRequired(facts.risk_tier, facts.highRiskApprovals),
  };
}
