import type { AuthRole, RiskTier } from '../../config/schema.js';
import type { PrReview, PrReviewKind, ReviewRound } from '../../domain/task.js';

/**
 * Denials a human's approval answers: each asks for review, and the approval is that review. The
 * others (failing tests, secrets, lint, a violated constraint, OPA undecided) are facts an approval
 * does not change: only an explicit override accepts them.
 */
export const REVIEWABLE_DENIALS: ReadonlySet<string> = new Set([
  'MEDIUM_RISK_REVIEW',
  'HIGH_RISK_REVIEW',
  'DB_SCHEMA_CHANGE',
  'NEW_DEPENDENCY',
  'AUTODEV_CONFIG_CHANGED',
  'TESTS_CHANGED',
]);

/** Marks autodev's own comments on a forge (forge.comment writes it): they never start a round. */
const AUTODEV_MARKER = /<!--\s*autodev[:\s]/i;

export function isAutodevComment(body: string | null): boolean {
  return body !== null && AUTODEV_MARKER.test(body);
}

/** A named API user, as `[[autodev.auth.users]]` configures them (tokens aside). */
export interface ReviewerIdentity {
  name: string;
  roles: readonly AuthRole[];
}

/** The role an act through autodev's API needs: approving and overriding is more than reviewing. */
const ROLES_FOR: Record<PrReviewKind, readonly AuthRole[]> = {
  approval: ['approver', 'admin'],
  override: ['approver', 'admin'],
  changes_requested: ['reviewer', 'approver', 'admin'],
  comment: ['reviewer', 'approver', 'admin'],
};

export function roleAllows(roles: readonly AuthRole[], kind: PrReviewKind): boolean {
  return ROLES_FOR[kind].some((role) => roles.includes(role));
}

export function rolesNeededFor(kind: PrReviewKind): readonly AuthRole[] {
  return ROLES_FOR[kind];
}

/** `repo`: a multi-repo task's review on a consumer's pull request (its author and permissions are that repository's). */
type ReviewerRef = Pick<PrReview, 'by' | 'kind' | 'forge_item_id'> & { repo?: string | null };

/** Whose review counts: a predicate, with the reason when it does not. */
export interface ReviewerCheck {
  (review: ReviewerRef): boolean;
  /** Why the review does not count; undefined when it counts. */
  whyNot(review: ReviewerRef): string | undefined;
}

/** What the forge said of one account this sync, when `reviewers` is empty on a hosted forge. */
export interface WriteAccess {
  canWrite: boolean;
  /** Why it does not count (read-only, lookup failed...), for the audit trail. */
  why: string;
}

/** What the forge reports of this pull request, beyond the configuration. */
export interface ReviewerContext {
  /** The pull request's author login (the account autodev opens it as): its reviews never count. */
  prAuthor?: string;
  /** Lower-cased forge login → its write permission on the repo, looked up in this sync. */
  writeAccess?: ReadonlyMap<string, WriteAccess>;
}

/**
 * Whose review counts. The pull request's author (autodev's own account, as the forge reports it)
 * never does. An act made through autodev's API (no forge item id) counts only when it is a named
 * user's (`[[autodev.auth.users]]`, identified by their token, never by a name in the body) with a
 * role for it; on a hosted forge they must also be in `[autodev.git] reviewers`. A forge's own review
 * counts when its author is in `reviewers` (`"*"` allows everybody); with `reviewers` empty, when the
 * forge says its author has write permission on the repo (context.writeAccess): anyone able to comment
 * on a public repo would otherwise steer the model.
 */
export function createReviewerCheck(
  reviewers: readonly string[],
  forgeId: string,
  users: readonly ReviewerIdentity[] = [],
  context: ReviewerContext = {},
): ReviewerCheck {
  const everybody = reviewers.includes('*');
  const listed = new Set(reviewers.map((r) => r.toLowerCase()));
  const byName = new Map(users.map((u) => [u.name.toLowerCase(), u]));
  const inReviewers = (by: string) => everybody || listed.has(by.toLowerCase());
  const author = context.prAuthor?.toLowerCase();
  const whyNot = (review: ReviewerRef): string | undefined => {
    if (author !== undefined && review.by.toLowerCase() === author) {
      return `${review.by} is the pull request's author (the account autodev opens it as), whose review never counts`;
    }
    if (review.forge_item_id === null) {
      const user = byName.get(review.by.toLowerCase());
      const allowed =
        user !== undefined &&
        roleAllows(user.roles, review.kind) &&
        ((forgeId === 'local' && reviewers.length === 0) || inReviewers(review.by));
      return allowed
        ? undefined
        : `${review.by} is not a known user ([[autodev.auth.users]]) with role ${rolesNeededFor(review.kind).join(' or ')} allowed to review here`;
    }
    if (reviewers.length > 0) {
      return inReviewers(review.by) ? undefined : `${review.by} is not in [autodev.git] reviewers`;
    }
    const access = context.writeAccess?.get(review.by.toLowerCase());
    if (access?.canWrite) return undefined;
    return (
      access?.why ??
      `${review.by}'s permission on the repository was not looked up ([autodev.git] reviewers is empty: only accounts with write permission count)`
    );
  };
  const check = (review: ReviewerRef) => whyNot(review) === undefined;
  return Object.assign(check, { whyNot });
}

/** Why a recorded review does not count, for its event; undefined when it counts. */
export function whyIgnored(
  review: Pick<PrReview, 'by' | 'kind' | 'forge_item_id' | 'comment'>,
  isAllowed: ReviewerCheck,
): string | undefined {
  if (isAutodevComment(review.comment)) return "autodev's own comment";
  return isAllowed.whyNot(review);
}

export interface ReviewFacts {
  risk_tier: RiskTier;
  reviews: readonly PrReview[];
  rounds: readonly ReviewRound[];
  /** The newest policy decision's denial codes, and whether it allowed the merge. */
  decision: { allow: boolean; fallback: boolean; denyCodes: readonly string[] };
  isAllowed: ReviewerCheck;
  highRiskApprovals: number;
  maxReviewRounds: number;
}

export type ReviewVerdict =
  | { action: 'merge'; approvers: string[]; override: PrReview | undefined }
  | { action: 'round'; round: number; through: number; comments: PrReview[] }
  | { action: 'rounds_exhausted'; through: number; rounds: number }
  | { action: 'wait'; reason: string; approvals: number; approvals_required: number };

export function approvalsRequired(tier: RiskTier, highRiskApprovals: number): number {
  return tier === 'high' ? highRiskApprovals : 1;
}

/**
 * What the recorded reviews call for now, from the store alone (so a webhook, a poll and the local API
 * all decide alike, and deciding twice decides the same). Change requests and line comments from
 * allowed reviewers newer than the last round start the next one; else enough approvals since the last
 * round (they approved the code they saw) merge, high risk also needing an override.
 */
export function decideReview(facts: ReviewFacts): ReviewVerdict {
  const counted = facts.reviews.filter((r) => facts.isAllowed(r) && !isAutodevComment(r.comment));
  const lastRound = facts.rounds.at(-1);
  const watermark = lastRound?.through_review_id ?? 0;
  const fresh = counted.filter((r) => r.id > watermark);

  const asksForChanges = fresh.some(
    (r) => r.kind === 'changes_requested' || (r.kind === 'comment' && r.path !== null),
  );
  if (asksForChanges) {
    const comments = fresh.filter((r) => r.kind !== 'approval' && r.kind !== 'override');
    const through = Math.max(...fresh.map((r) => r.id));
    if (facts.rounds.length < facts.maxReviewRounds) {
      return { action: 'round', round: facts.rounds.length + 1, through, comments };
    }
    // No round left: the comments wait for a human, whose approval may still merge what there is.
    const verdict = decideApproval(facts, counted, fresh, lastRound);
    if (verdict.action === 'merge') return verdict;
    return { action: 'rounds_exhausted', through, rounds: facts.rounds.length };
  }
  return decideApproval(facts, counted, fresh, lastRound);
}

/**
 * The approval half of decideReview alone: whether the approvals since the last round (and an
 * override where needed) let the pull request merge, whatever comments ask. A multi-repo task judges
 * each of its pull requests by it (multi-repo-rules.ts); change requests are judged over all of them.
 */
export function decideApprovals(facts: ReviewFacts): ReviewVerdict {
  const counted = facts.reviews.filter((r) => facts.isAllowed(r) && !isAutodevComment(r.comment));
  const lastRound = facts.rounds.at(-1);
  const watermark = lastRound?.through_review_id ?? 0;
  return decideApproval(
    facts,
    counted,
    counted.filter((r) => r.id > watermark),
    lastRound,
  );
}

function decideApproval(
  facts: ReviewFacts,
  counted: readonly PrReview[],
  fresh: readonly PrReview[],
  lastRound: ReviewRound | undefined,
): ReviewVerdict {
  const required = approvalsRequired(facts.risk_tier, facts.highRiskApprovals);
  const approvers = [...new Set(fresh.filter((r) => r.kind === 'approval').map((r) => r.by))];
  const override = counted.filter((r) => r.kind === 'override').at(-1);
  const { decision } = facts;
  if (facts.risk_tier === 'low' && decision.allow && !decision.fallback) {
    return { action: 'merge', approvers, override };
  }
  const wait = (reason: string): ReviewVerdict => ({
    action: 'wait',
    reason,
    approvals: approvers.length,
    approvals_required: required,
  });
  if (approvers.length < required) {
    return wait(
      `a ${facts.risk_tier}-risk pull request needs ${required} approval(s) from distinct allowed reviewers${lastRound ? ` since review round ${lastRound.round}` : ''}; it has ${approvers.length}`,
    );
  }
  if (facts.risk_tier === 'high' && !override) {
    return wait('a high-risk pull request needs an explicit policy override by an allowed reviewer');
  }
  const hard = decision.fallback
    ? ['POLICY_FALLBACK']
    : decision.denyCodes.filter((code) => !REVIEWABLE_DENIALS.has(code));
  if (hard.length > 0 && !override) {
    return wait(`policy denies ${hard.join(', ')}, which an approval does not answer: an override is needed`);
  }
  return { action: 'merge', approvers, override };
}
