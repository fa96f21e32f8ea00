import type { Kysely } from 'kysely';

/**
 * A revert is a task of its own that undoes another task's merge: `reverts_task_id` names it. Unique,
 * so two revert requests racing for one task make one revert, and the second request finds it.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .alterTable('tasks')
    .addColumn('reverts_task_id', 'text', (col) => col.references('tasks.id'))
    .execute();
  await db.schema
    .createIndex('tasks_reverts_task_id')
    .unique()
    .on('tasks')
    .column('reverts_task_id')
    .execute();
}
