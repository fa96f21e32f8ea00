import { type Kysely, sql } from 'kysely';

/**
 * Reviewers' approvals, change requests and comments on the local forge's pull requests. Append-only,
 * like the events: an approval that counted toward a merge cannot be edited away afterwards.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .createTable('pr_reviews')
    .addColumn('id', 'integer', (c) => c.primaryKey().autoIncrement())
    .addColumn('task_id', 'text', (c) => c.notNull().references('pull_requests.task_id'))
    .addColumn('kind', 'text', (c) => c.notNull())
    .addColumn('by', 'text', (c) => c.notNull())
    .addColumn('comment', 'text')
    .addColumn('created_at', 'text', (c) => c.notNull())
    .execute();
  await db.schema.createIndex('pr_reviews_task_id').on('pr_reviews').columns(['task_id', 'id']).execute();
  await sql`CREATE TRIGGER pr_reviews_no_update BEFORE UPDATE ON pr_reviews BEGIN SELECT RAISE(ABORT, 'pr_reviews are append-only'); END`.execute(
    db,
  );
  await sql`CREATE TRIGGER pr_reviews_no_delete BEFORE DELETE ON pr_reviews BEGIN SELECT RAISE(ABORT, 'pr_reviews are append-only'); END`.execute(
    db,
  );
}
