import type { Kysely } from 'kysely';
import { addAutoIdColumn, refuseEdits, type SqlDialect } from './dialect.js';

/** Tasks, their checkpointed steps, the append-only audit trail, pull requests and command logs. */
export async function up(db: Kysely<unknown>, dialect: SqlDialect): Promise<void> {
  await db.schema
    .createTable('tasks')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('title', 'text', (c) => c.notNull())
    .addColumn('description', 'text', (c) => c.notNull())
    .addColumn('repo', 'text', (c) => c.notNull())
    .addColumn('repo_normalized', 'text', (c) => c.notNull())
    .addColumn('base_branch', 'text', (c) => c.notNull())
    .addColumn('risk_tier', 'text', (c) => c.notNull())
    .addColumn('constraints_json', 'text', (c) => c.notNull())
    .addColumn('acceptance_json', 'text', (c) => c.notNull())
    .addColumn('status', 'text', (c) => c.notNull())
    .addColumn('plan_json', 'text')
    .addColumn('branch', 'text')
    .addColumn('error_code', 'text')
    .addColumn('error_message', 'text')
    .addColumn('attempt', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('cancel_requested', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('lease_owner', 'text')
    .addColumn('lease_expires_at', 'bigint')
    .addColumn('created_at', 'text', (c) => c.notNull())
    .addColumn('updated_at', 'text', (c) => c.notNull())
    .addColumn('started_at', 'text')
    .addColumn('finished_at', 'text')
    .execute();
  await db.schema.createIndex('tasks_status_id').on('tasks').columns(['status', 'id']).execute();
  await db.schema.createIndex('tasks_repo_id').on('tasks').columns(['repo_normalized', 'id']).execute();

  await db.schema
    .createTable('steps')
    .addColumn('task_id', 'text', (c) => c.notNull().references('tasks.id'))
    .addColumn('key', 'text', (c) => c.notNull())
    .addColumn('seq', 'integer', (c) => c.notNull())
    .addColumn('phase', 'text', (c) => c.notNull())
    .addColumn('tool', 'text', (c) => c.notNull())
    .addColumn('status', 'text', (c) => c.notNull())
    .addColumn('attempts', 'integer', (c) => c.notNull())
    .addColumn('input_summary', 'text', (c) => c.notNull())
    .addColumn('output_summary', 'text')
    .addColumn('output_json', 'text')
    .addColumn('error_code', 'text')
    .addColumn('error_message', 'text')
    .addColumn('started_at', 'text', (c) => c.notNull())
    .addColumn('finished_at', 'text')
    .addColumn('duration_ms', 'integer')
    .addPrimaryKeyConstraint('steps_pk', ['task_id', 'key'])
    .execute();

  await addAutoIdColumn(db.schema.createTable('events'), dialect)
    .addColumn('task_id', 'text', (c) => c.notNull())
    .addColumn('type', 'text', (c) => c.notNull())
    .addColumn('data_json', 'text', (c) => c.notNull())
    .addColumn('created_at', 'text', (c) => c.notNull())
    .execute();
  await db.schema.createIndex('events_task_id').on('events').columns(['task_id', 'id']).execute();
  // The audit trail is append-only: the database itself refuses edits and deletions.
  await refuseEdits(db, dialect, 'events', ['update', 'delete']);

  await db.schema
    .createTable('pull_requests')
    .addColumn('task_id', 'text', (c) => c.primaryKey().references('tasks.id'))
    .addColumn('forge', 'text', (c) => c.notNull())
    .addColumn('repo', 'text', (c) => c.notNull())
    .addColumn('branch', 'text', (c) => c.notNull())
    .addColumn('base_branch', 'text', (c) => c.notNull())
    .addColumn('number', 'integer')
    .addColumn('url', 'text')
    .addColumn('title', 'text', (c) => c.notNull())
    .addColumn('status', 'text', (c) => c.notNull())
    .addColumn('head_commit', 'text', (c) => c.notNull())
    .addColumn('merge_commit', 'text')
    .addColumn('created_at', 'text', (c) => c.notNull())
    .addColumn('updated_at', 'text', (c) => c.notNull())
    .execute();
  await db.schema
    .createIndex('pull_requests_repo_branch')
    .on('pull_requests')
    .columns(['repo', 'branch'])
    .unique()
    .execute();

  await addAutoIdColumn(db.schema.createTable('command_logs'), dialect)
    .addColumn('task_id', 'text', (c) => c.notNull())
    .addColumn('step_key', 'text', (c) => c.notNull())
    .addColumn('stream', 'text', (c) => c.notNull())
    .addColumn('content', 'text', (c) => c.notNull())
    .addColumn('created_at', 'text', (c) => c.notNull())
    .execute();
  await db.schema.createIndex('command_logs_task_id').on('command_logs').columns(['task_id', 'id']).execute();
}
