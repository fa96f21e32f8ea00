import type { Kysely } from 'kysely';
import { addAutoIdColumn, type SqlDialect } from './dialect.js';

/**
 * Dependency updates (issue #22): the task of each update group with the updates it makes, and each
 * scan of a repository with what it found, skipped and created, so a rescan finds the open task of a
 * group instead of opening another, and `GET /updates` tells the state per repository.
 */
export async function up(db: Kysely<unknown>, dialect: SqlDialect): Promise<void> {
  await db.schema
    .createTable('dependency_updates')
    .addColumn('task_id', 'text', (c) => c.primaryKey().references('tasks.id'))
    .addColumn('repo_normalized', 'text', (c) => c.notNull())
    .addColumn('base_branch', 'text', (c) => c.notNull())
    .addColumn('group_key', 'text', (c) => c.notNull())
    .addColumn('updates_json', 'text', (c) => c.notNull())
    .addColumn('repair', 'integer', (c) => c.notNull())
    .addColumn('created_at', 'text', (c) => c.notNull())
    .execute();
  await db.schema
    .createIndex('dependency_updates_group')
    .on('dependency_updates')
    .columns(['repo_normalized', 'base_branch', 'group_key'])
    .execute();
  await addAutoIdColumn(db.schema.createTable('dependency_update_scans'), dialect)
    .addColumn('repo_normalized', 'text', (c) => c.notNull())
    .addColumn('base_branch', 'text', (c) => c.notNull())
    .addColumn('scanned_at', 'text', (c) => c.notNull())
    .addColumn('found_json', 'text', (c) => c.notNull())
    .addColumn('skipped_json', 'text', (c) => c.notNull())
    .addColumn('created_json', 'text', (c) => c.notNull())
    .addColumn('error_code', 'text')
    .addColumn('error_message', 'text')
    .execute();
  await db.schema
    .createIndex('dependency_update_scans_repo')
    .on('dependency_update_scans')
    .columns(['repo_normalized', 'id'])
    .execute();
}
