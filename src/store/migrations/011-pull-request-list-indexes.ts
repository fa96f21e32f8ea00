import type { Kysely } from 'kysely';

/**
 * GET /prs lists pull requests newest first (created_at, task_id), optionally of one status. Without
 * an index each request sorted every pull request ever opened (a temp B-tree in SQLite, a Sort in
 * PostgreSQL): a cost that grows with history on a route the dashboard polls. Walked backwards,
 * these indexes give the first page without sorting.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .createIndex('pull_requests_created')
    .on('pull_requests')
    .columns(['created_at', 'task_id'])
    .execute();
  await db.schema
    .createIndex('pull_requests_status_created')
    .on('pull_requests')
    .columns(['status', 'created_at', 'task_id'])
    .execute();
}
