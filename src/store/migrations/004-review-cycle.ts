import type { Kysely } from 'kysely';

/**
 * The review cycle's durable state. pr_reviews learns the forge's own id of each act (a webhook and a
 * poll reporting the same review insert it once: the unique index decides) and where a line comment
 * sits. review_rounds holds each round asked of the model: a requested round is a row, not a wait in
 * memory, so the scheduler runs it after any restart; (task_id, round) is the primary key, so two
 * reports of the same comments request one round.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema.alterTable('pr_reviews').addColumn('forge_item_id', 'text').execute();
  await db.schema.alterTable('pr_reviews').addColumn('path', 'text').execute();
  await db.schema.alterTable('pr_reviews').addColumn('line', 'integer').execute();
  // NULLs are distinct in a SQLite unique index: acts made through autodev's API have no forge id.
  await db.schema
    .createIndex('pr_reviews_forge_item')
    .on('pr_reviews')
    .columns(['task_id', 'forge_item_id'])
    .unique()
    .execute();
  await db.schema
    .createTable('review_rounds')
    .addColumn('task_id', 'text', (c) => c.notNull().references('tasks.id'))
    .addColumn('round', 'integer', (c) => c.notNull())
    .addColumn('status', 'text', (c) => c.notNull())
    .addColumn('through_review_id', 'integer', (c) => c.notNull())
    .addColumn('from_commit', 'text', (c) => c.notNull())
    .addColumn('commit', 'text')
    .addColumn('error', 'text')
    .addColumn('created_at', 'text', (c) => c.notNull())
    .addColumn('finished_at', 'text')
    .addPrimaryKeyConstraint('review_rounds_pk', ['task_id', 'round'])
    .execute();
}
