import type { Kysely } from 'kysely';
import type { SqlDialect } from './dialect.js';

/**
 * Where the trigger poller got to per forge and repository: the forge's own timestamp of the latest
 * comment it read, so a restart neither reads old comments as new requests nor misses those made
 * while autodev was down.
 */
export async function up(db: Kysely<unknown>, _dialect: SqlDialect): Promise<void> {
  await db.schema
    .createTable('trigger_poll_cursors')
    .addColumn('source', 'text', (c) => c.primaryKey())
    .addColumn('cursor', 'text', (c) => c.notNull())
    .addColumn('updated_at', 'text', (c) => c.notNull())
    .execute();
}
