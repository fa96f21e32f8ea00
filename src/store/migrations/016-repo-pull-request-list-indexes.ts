import type { Kysely } from 'kysely';

/**
 * GET /prs lists every pull request, a multi-repo task's consumers' and reverts' too (issue #23):
 * `repo_pull_requests` is walked newest first beside `pull_requests` (migration 011), optionally of
 * one status. The same two indexes keep the first page a backwards index walk instead of a sort of
 * every row ever stored.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .createIndex('repo_pull_requests_created')
    .on('repo_pull_requests')
    .columns(['created_at', 'task_id'])
    .execute();
  await db.schema
    .createIndex('repo_pull_requests_status_created')
    .on('repo_pull_requests')
    .columns(['status', 'created_at', 'task_id'])
    .execute();
}
