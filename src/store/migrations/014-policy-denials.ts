import { sql, type Kysely } from 'kysely';
import { refuseEdits, type SqlDialect } from './dialect.js';

/**
 * Each denial code of each `policy.decision` event, one row per entry of its `deny` list, written
 * with the event (event-repository.ts). GET /overview counted the codes by parsing the JSON of every
 * decision ever stored on each request (about 1 ms of its 2.5 ms on SQLite at 1,000 decisions); it
 * now counts these rows through an index on the code. Decisions stored before this migration are
 * copied in by the same parse, once. Like the events, the rows are append-only.
 */
export async function up(db: Kysely<unknown>, dialect: SqlDialect): Promise<void> {
  await db.schema
    .createTable('policy_denials')
    // No foreign key: rows are written only with their event, neither is ever deleted, and a
    // reference would make PostgreSQL answer TRUNCATE events with its own error, not the audit rule.
    .addColumn('event_id', 'integer', (c) => c.notNull())
    .addColumn('entry', 'integer', (c) => c.notNull())
    .addColumn('code', 'text')
    .addPrimaryKeyConstraint('policy_denials_pk', ['event_id', 'entry'])
    .execute();
  await db.schema.createIndex('policy_denials_code').on('policy_denials').column('code').execute();
  await refuseEdits(db, dialect, 'policy_denials', ['update', 'delete']);
  // The backfill reads the codes as the overview's query did: `code` of each object in `deny`. A
  // `deny` that is no list gives no rows (PostgreSQL would fail on it, whatever the WHERE said).
  await (
    dialect === 'postgres'
      ? sql`
        insert into policy_denials (event_id, entry, code)
        select e.id, d.ordinality - 1, d.value ->> 'code'
        from events e,
          jsonb_array_elements(
            case when jsonb_typeof(e.data_json::jsonb -> 'deny') = 'array'
              then e.data_json::jsonb -> 'deny' else '[]'::jsonb end
          ) with ordinality as d(value, ordinality)
        where e.type = 'policy.decision'`
      : sql`
        insert into policy_denials (event_id, entry, code)
        select e.id, d.key, case when d.type = 'object' then json_extract(d.value, '$.code') end
        from events e, json_each(e.data_json, '$.deny') d
        where e.type = 'policy.decision' and json_type(e.data_json, '$.deny') = 'array'`
  ).execute(db);
}
