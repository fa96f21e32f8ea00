import type { Kysely } from 'kysely';

/**
 * GET /overview counts delivered tasks (events of type task.delivered) and policy denials (events of
 * type policy.decision). Without an index on the type each request read every event ever stored, a
 * cost growing with history (about ten events a task); with it, only the events of those types.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema.createIndex('events_type_task_id').on('events').columns(['type', 'task_id']).execute();
}
