import type { Kysely } from 'kysely';
import type { SqlDialect } from './dialect.js';

/**
 * A multi-repo task's other pull requests (issue #23): one per changed consumer, and the revert of
 * the library when a consumer's merge fails after the library's. `pull_requests` keeps the task's
 * own (the library's), keyed by the task and referenced by its reviews; changing that key would copy
 * the table on SQLite. These rows say which repository and branch they are, and their place in the
 * task (`ordinal`: the repository's index in the task's repositories).
 */
export async function up(db: Kysely<unknown>, _dialect: SqlDialect): Promise<void> {
  await db.schema
    .createTable('repo_pull_requests')
    .addColumn('task_id', 'text', (c) => c.notNull().references('tasks.id'))
    .addColumn('repo', 'text', (c) => c.notNull())
    .addColumn('branch', 'text', (c) => c.notNull())
    .addColumn('role', 'text', (c) => c.notNull())
    .addColumn('ordinal', 'integer', (c) => c.notNull())
    .addColumn('forge', 'text', (c) => c.notNull())
    .addColumn('base_branch', 'text', (c) => c.notNull())
    .addColumn('number', 'integer')
    .addColumn('url', 'text')
    .addColumn('title', 'text', (c) => c.notNull())
    .addColumn('status', 'text', (c) => c.notNull())
    .addColumn('head_commit', 'text', (c) => c.notNull())
    .addColumn('merge_commit', 'text')
    .addColumn('created_at', 'text', (c) => c.notNull())
    .addColumn('updated_at', 'text', (c) => c.notNull())
    .addPrimaryKeyConstraint('repo_pull_requests_pk', ['task_id', 'repo', 'branch'])
    .execute();
}
