import type { Kysely } from 'kysely';

/**
 * When the task's merge began: the point past which a cancel is refused (a merge that reached the
 * remote cannot be undone). A column of the task row, so the commit point and a cancel request are
 * two conditional updates of one row that cannot both succeed.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema.alterTable('tasks').addColumn('merge_started_at', 'text').execute();
}
