import type { Kysely } from 'kysely';
import { doubleType, refuseEdits, type SqlDialect } from './dialect.js';

/**
 * The coding model's conversation, one row per finished turn (what was sent, the reply, the tool
 * results), so a restarted or retried step resumes at the last turn instead of paying for it again,
 * and a replay can serve the recorded replies. Append-only, like the events. And the task's running
 * model cost, kept on the task row so the budget check and the task view read one row.
 */
export async function up(db: Kysely<unknown>, dialect: SqlDialect): Promise<void> {
  await db.schema
    .createTable('conversation_turns')
    .addColumn('task_id', 'text', (c) => c.notNull().references('tasks.id'))
    .addColumn('seq', 'integer', (c) => c.notNull())
    .addColumn('round', 'integer', (c) => c.notNull())
    .addColumn('request_hash', 'text', (c) => c.notNull())
    .addColumn('messages_json', 'text', (c) => c.notNull())
    .addColumn('reply_json', 'text', (c) => c.notNull())
    .addColumn('workspace_commit', 'text', (c) => c.notNull())
    .addColumn('stop_reason', 'text')
    .addColumn('created_at', 'text', (c) => c.notNull())
    .addPrimaryKeyConstraint('conversation_turns_pk', ['task_id', 'seq'])
    .execute();
  await refuseEdits(db, dialect, 'conversation_turns', ['update']);
  for (const column of ['cost_input_tokens', 'cost_output_tokens', 'cost_cached_input_tokens']) {
    await db.schema
      .alterTable('tasks')
      .addColumn(column, 'integer', (c) => c.notNull().defaultTo(0))
      .execute();
  }
  await db.schema
    .alterTable('tasks')
    .addColumn('cost_usd', doubleType(dialect), (c) => c.notNull().defaultTo(0))
    .execute();
}
