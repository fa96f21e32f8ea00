import type { Kysely } from 'kysely';
import { addAutoIdColumn, type SqlDialect } from './dialect.js';

/**
 * Issues and comments (the local forge's own, so the trigger flow runs without a hosted forge), and
 * the link from a forge issue to the tasks it started. `trigger_deliveries` holds the key of every
 * trigger taken (a webhook delivery, a comment's forge id): its primary key decides that a delivery
 * sent twice, or seen by a webhook and a poll, is acted on once.
 */
export async function up(db: Kysely<unknown>, dialect: SqlDialect): Promise<void> {
  await addAutoIdColumn(db.schema.createTable('issues'), dialect)
    .addColumn('repo', 'text', (c) => c.notNull())
    .addColumn('repo_normalized', 'text', (c) => c.notNull())
    .addColumn('base_branch', 'text', (c) => c.notNull())
    .addColumn('title', 'text', (c) => c.notNull())
    .addColumn('body', 'text', (c) => c.notNull())
    .addColumn('labels_json', 'text', (c) => c.notNull())
    .addColumn('author', 'text', (c) => c.notNull())
    .addColumn('state', 'text', (c) => c.notNull())
    .addColumn('created_at', 'text', (c) => c.notNull())
    .addColumn('updated_at', 'text', (c) => c.notNull())
    .execute();
  await db.schema.createIndex('issues_repo').on('issues').columns(['repo_normalized', 'id']).execute();
  await addAutoIdColumn(db.schema.createTable('issue_comments'), dialect)
    .addColumn('issue_id', 'integer', (c) => c.notNull().references('issues.id'))
    .addColumn('body', 'text', (c) => c.notNull())
    .addColumn('author', 'text', (c) => c.notNull())
    .addColumn('created_at', 'text', (c) => c.notNull())
    .addColumn('updated_at', 'text', (c) => c.notNull())
    .execute();
  await db.schema
    .createIndex('issue_comments_issue')
    .on('issue_comments')
    .columns(['issue_id', 'id'])
    .execute();
  await db.schema
    .createTable('issue_tasks')
    .addColumn('task_id', 'text', (c) => c.primaryKey().references('tasks.id'))
    .addColumn('forge', 'text', (c) => c.notNull())
    .addColumn('repo_normalized', 'text', (c) => c.notNull())
    .addColumn('issue_number', 'integer', (c) => c.notNull())
    .addColumn('status_comment_id', 'text')
    .addColumn('created_at', 'text', (c) => c.notNull())
    .execute();
  await db.schema
    .createIndex('issue_tasks_issue')
    .on('issue_tasks')
    .columns(['forge', 'repo_normalized', 'issue_number'])
    .execute();
  await db.schema
    .createTable('trigger_deliveries')
    .addColumn('key', 'text', (c) => c.primaryKey())
    .addColumn('received_at', 'text', (c) => c.notNull())
    .execute();
}
