import type { Kysely } from 'kysely';
import type { Redact } from '../secrets/redact.js';
import { createCommandLogRepository } from './command-log-repository.js';
import { createConversationRepository } from './conversation-repository.js';
import { createDependencyUpdateRepository } from './dependency-update-repository.js';
import { createEventRepository } from './event-repository.js';
import { createIssueRepository } from './issue-repository.js';
import { createIssueTaskRepository } from './issue-task-repository.js';
import type { SqlDialect } from './migrations/dialect.js';
import { createOverviewRepository } from './overview-repository.js';
import { createPrReviewRepository } from './pr-review-repository.js';
import { createPullRequestRepository } from './pull-request-repository.js';
import { createReviewRoundRepository } from './review-round-repository.js';
import { createStepRepository } from './step-repository.js';
import type { Database } from './tables.js';
import { createTaskRepository } from './task-repository.js';
import type { Store } from './types.js';

/** The repositories over one database, the same code for both dialects. */
export function createRepositories(
  db: Kysely<Database>,
  redact: Redact,
  dialect: SqlDialect,
): Omit<Store, 'kind' | 'location' | 'close'> {
  return {
    tasks: createTaskRepository(db, redact, dialect),
    steps: createStepRepository(db, redact),
    events: createEventRepository(db, redact),
    pullRequests: createPullRequestRepository(db),
    prReviews: createPrReviewRepository(db, redact),
    reviewRounds: createReviewRoundRepository(db, redact),
    logs: createCommandLogRepository(db, redact),
    conversations: createConversationRepository(db, redact),
    issues: createIssueRepository(db, redact),
    issueTasks: createIssueTaskRepository(db),
    overview: createOverviewRepository(db, dialect),
    dependencyUpdates: createDependencyUpdateRepository(db, redact),
  };
}
