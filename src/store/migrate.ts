import { type Kysely, type Migration, type MigrationProvider, Migrator } from 'kysely';
import { AutodevError } from '../errors.js';
import * as initial from './migrations/001-initial.js';
import * as mergeStarted from './migrations/002-merge-started.js';
import * as prReviews from './migrations/003-pr-reviews.js';
import * as reviewCycle from './migrations/004-review-cycle.js';
import * as reverts from './migrations/005-reverts.js';
import * as conversationTurns from './migrations/006-conversation-turns.js';
import * as dependencyUpdates from './migrations/007-dependency-updates.js';

/** Migrations are compiled in (no directory scan), so the built package carries them. */
const MIGRATIONS: Record<string, Migration> = {
  '001-initial': initial,
  '002-merge-started': mergeStarted,
  '003-pr-reviews': prReviews,
  '004-review-cycle': reviewCycle,
  '005-reverts': reverts,
  '006-conversation-turns': conversationTurns,
  '007-dependency-updates': dependencyUpdates,
};

const provider: MigrationProvider = { getMigrations: () => Promise.resolve(MIGRATIONS) };

export async function migrateToLatest<T>(db: Kysely<T>): Promise<void> {
  const migrator = new Migrator({ db, provider });
  const { error, results } = await migrator.migrateToLatest();
  if (error) {
    const failed = results?.find((r) => r.status === 'Error')?.migrationName ?? 'unknown';
    throw new AutodevError('INTERNAL', `database migration ${failed} failed: ${String(error)}`, {
      cause: error,
    });
  }
}
