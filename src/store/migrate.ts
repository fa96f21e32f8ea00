import { type Kysely, type Migration, type MigrationProvider, Migrator } from 'kysely';
import { AutodevError } from '../errors.js';
import type { DialectMigration, SqlDialect } from './migrations/dialect.js';
import * as initial from './migrations/001-initial.js';
import * as mergeStarted from './migrations/002-merge-started.js';
import * as prReviews from './migrations/003-pr-reviews.js';
import * as reviewCycle from './migrations/004-review-cycle.js';
import * as reverts from './migrations/005-reverts.js';
import * as conversationTurns from './migrations/006-conversation-turns.js';
import * as issues from './migrations/007-issues.js';
import * as dependencyUpdates from './migrations/008-dependency-updates.js';
import * as triggerPollCursors from './migrations/009-trigger-poll-cursors.js';
import * as taskRepos from './migrations/010-task-repos.js';
import * as pullRequestListIndexes from './migrations/011-pull-request-list-indexes.js';
import * as eventsTypeIndex from './migrations/012-events-type-index.js';
import * as repoPullRequests from './migrations/013-repo-pull-requests.js';
import * as policyDenials from './migrations/014-policy-denials.js';
import * as prReviewRepo from './migrations/015-pr-review-repo.js';
import * as repoPullRequestListIndexes from './migrations/016-repo-pull-request-list-indexes.js';

/** Migrations are compiled in (no directory scan), so the built package carries them. */
const MIGRATIONS: Record<string, { up: DialectMigration }> = {
  '001-initial': initial,
  '002-merge-started': mergeStarted,
  '003-pr-reviews': prReviews,
  '004-review-cycle': reviewCycle,
  '005-reverts': reverts,
  '006-conversation-turns': conversationTurns,
  '007-issues': issues,
  '008-dependency-updates': dependencyUpdates,
  '009-trigger-poll-cursors': triggerPollCursors,
  '010-task-repos': taskRepos,
  '011-pull-request-list-indexes': pullRequestListIndexes,
  '012-events-type-index': eventsTypeIndex,
  '013-repo-pull-requests': repoPullRequests,
  '014-policy-denials': policyDenials,
  '015-pr-review-repo': prReviewRepo,
  '016-repo-pull-request-list-indexes': repoPullRequestListIndexes,
};

/** The same migrations for both dialects, each told which SQL to speak. */
function providerFor(dialect: SqlDialect): MigrationProvider {
  const migrations: Record<string, Migration> = {};
  for (const [name, migration] of Object.entries(MIGRATIONS))
    migrations[name] = { up: (db) => migration.up(db, dialect) };
  return { getMigrations: () => Promise.resolve(migrations) };
}

export async function migrateToLatest<T>(db: Kysely<T>, dialect: SqlDialect): Promise<void> {
  const migrator = new Migrator({ db, provider: providerFor(dialect) });
  const { error, results } = await migrator.migrateToLatest();
  if (error) {
    const failed = results?.find((r) => r.status === 'Error')?.migrationName ?? 'unknown';
    throw new AutodevError('INTERNAL', `database migration ${failed} failed: ${String(error)}`, {
      cause: error,
    });
  }
}
