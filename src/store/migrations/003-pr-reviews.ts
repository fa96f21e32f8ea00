import type { Kysely } from 'kysely';
import { addAutoIdColumn, refuseEdits, type SqlDialect } from './dialect.js';

/**
 * Reviewers' approvals, change requests and comments on the local forge's pull requests. Append-only,
 * like the events: an approval that counted toward a merge cannot be edited away afterwards.
 */
export async function up(db: Kysely<unknown>, dialect: SqlDialect): Promise<void> {
  await addAutoIdColumn(db.schema.createTable('pr_reviews'), dialect)
    .addColumn('task_id', 'text', (c) => c.notNull().references('pull_requests.task_id'))
    .addColumn('kind', 'text', (c) => c.notNull())
    .addColumn('by', 'text', (c) => c.notNull())
    .addColumn('comment', 'text')
    .addColumn('created_at', 'text', (c) => c.notNull())
    .execute();
  await db.schema.createIndex('pr_reviews_task_id').on('pr_reviews').columns(['task_id', 'id']).execute();
  await refuseEdits(db, dialect, 'pr_reviews', ['update', 'delete']);
}
