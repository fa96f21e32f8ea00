import type { Kysely } from 'kysely';
import type { SqlDialect } from './dialect.js';

/**
 * Multi-repo tasks (issue #23): every repository of the task with its base branch and role, as JSON
 * on the task. Null for a task of one repository, which is all `repo` and `base_branch` say.
 */
export async function up(db: Kysely<unknown>, _dialect: SqlDialect): Promise<void> {
  await db.schema.alterTable('tasks').addColumn('repos_json', 'text').execute();
}
