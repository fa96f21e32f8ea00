import type { AutodevConfig } from '../../config/schema.js';
import type { PrReview, PullRequest } from '../../domain/task.js';
import { toAutodevError } from '../../errors.js';
import type { Forge } from '../../forges/types.js';
import { createReviewerCheck, isAutodevComment, type ReviewerCheck, type WriteAccess } from './rules.js';

/**
 * Permission lookups one sync makes at most: each is a forge API call, and a hostile crowd of
 * commenters must not turn one webhook into thousands of them. Accounts beyond it do not count.
 */
export const MAX_PERMISSION_LOOKUPS = 25;

export interface ReviewerStandingDeps {
  config: { git: Pick<AutodevConfig['git'], 'reviewers'>; secrets: Pick<AutodevConfig['secrets'], 'users'> };
  forge: Forge;
}

/**
 * The reviewer check for one pull request now: the configuration's, plus what the forge reports (the
 * pull request's author, and with `[autodev.git] reviewers` empty on a hosted forge, each reviewing
 * account's write permission). Permissions are looked up once per account per call (a sync's cache),
 * approvers first, at most MAX_PERMISSION_LOOKUPS; a failed lookup is recorded as the reason the
 * account's reviews do not count, never as permission.
 */
export async function reviewerCheckFor(
  deps: ReviewerStandingDeps,
  pr: PullRequest,
  reviews: readonly Pick<PrReview, 'by' | 'kind' | 'forge_item_id' | 'comment'>[],
  prAuthor: string | undefined,
): Promise<ReviewerCheck> {
  const { reviewers } = deps.config.git;
  const needsLookup = reviewers.length === 0 && deps.forge.id !== 'local';
  const writeAccess = needsLookup
    ? await lookUpWriteAccess(deps.forge, pr.repo, accountsToCheck(reviews, prAuthor))
    : undefined;
  return createReviewerCheck(reviewers, deps.forge.id, deps.config.secrets.users, {
    ...(prAuthor ? { prAuthor } : {}),
    ...(writeAccess ? { writeAccess } : {}),
  });
}

/** Distinct forge accounts whose reviews could count, approvers and overriders first. */
function accountsToCheck(
  reviews: readonly Pick<PrReview, 'by' | 'kind' | 'forge_item_id' | 'comment'>[],
  prAuthor: string | undefined,
): string[] {
  const author = prAuthor?.toLowerCase();
  const candidates = reviews.filter(
    (r) => r.forge_item_id !== null && !isAutodevComment(r.comment) && r.by.toLowerCase() !== author,
  );
  const deciding = candidates.filter((r) => r.kind === 'approval' || r.kind === 'override');
  return [...new Set([...deciding, ...candidates].map((r) => r.by.toLowerCase()))];
}

async function lookUpWriteAccess(
  forge: Forge,
  repo: string,
  logins: readonly string[],
): Promise<Map<string, WriteAccess>> {
  const access = new Map<string, WriteAccess>();
  for (const [index, login] of logins.entries()) {
    if (index >= MAX_PERMISSION_LOOKUPS) {
      access.set(login, {
        canWrite: false,
        why: `${login}'s permission was not looked up: more than ${MAX_PERMISSION_LOOKUPS} accounts reviewed this pull request`,
      });
      continue;
    }
    try {
      const permission = await forge.reviewerPermission(repo, login);
      access.set(login, {
        canWrite: permission.canWrite,
        why: `${login} has ${permission.level} permission on the repository, not write ([autodev.git] reviewers is empty: only accounts with write permission count)`,
      });
    } catch (error) {
      const e = toAutodevError(error);
      access.set(login, {
        canWrite: false,
        why: `${login}'s permission on the repository could not be read from the ${forge.id} forge (${e.code}: ${e.message}): not counted`,
      });
    }
  }
  return access;
}
