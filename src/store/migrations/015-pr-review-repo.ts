import type { Kysely } from 'kysely';

/**
 * A multi-repo task has a pull request in each changed repository, and a reviewer may act on any of
 * them (issue #23): each forge act records the repository of the pull request it was made on. Null is
 * the library's pull request, and an act through autodev's API, which is about the task as a whole.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema.alterTable('pr_reviews').addColumn('repo', 'text').execute();
}
