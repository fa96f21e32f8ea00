import { type ColumnDataType, type CreateTableBuilder, type Kysely, sql } from 'kysely';

/** The SQL dialects the store runs on: the migrations differ only where their SQL does. */
export type SqlDialect = 'sqlite' | 'postgres';

/** A migration of both dialects: the same tables, indexes and rules, each in its own SQL. */
export type DialectMigration = (db: Kysely<unknown>, dialect: SqlDialect) => Promise<void>;

/** An integer primary key the database numbers itself (SQLite's AUTOINCREMENT, PostgreSQL's serial). */
export function addAutoIdColumn<T extends string, C extends string>(
  table: CreateTableBuilder<T, C>,
  dialect: SqlDialect,
): CreateTableBuilder<T, C | 'id'> {
  return dialect === 'postgres'
    ? table.addColumn('id', 'serial', (c) => c.primaryKey())
    : table.addColumn('id', 'integer', (c) => c.primaryKey().autoIncrement());
}

/** An 8-byte float: SQLite's real is one, PostgreSQL's real is 4 bytes (costs would lose cents). */
export function doubleType(dialect: SqlDialect): ColumnDataType {
  return dialect === 'postgres' ? 'double precision' : 'real';
}

/**
 * The database itself refuses `ops` on `table` with "<table> are append-only", whoever connects:
 * SQLite by a RAISE(ABORT) trigger, PostgreSQL by a trigger function (and TRUNCATE, which skips row
 * triggers, by a statement trigger when deletes are refused).
 */
export async function refuseEdits(
  db: Kysely<unknown>,
  dialect: SqlDialect,
  table: string,
  ops: readonly ('update' | 'delete')[],
): Promise<void> {
  const message = `${table} are append-only`;
  if (dialect === 'sqlite') {
    for (const op of ops) {
      await sql
        .raw(
          `CREATE TRIGGER ${table}_no_${op} BEFORE ${op.toUpperCase()} ON ${table} BEGIN SELECT RAISE(ABORT, '${message}'); END`,
        )
        .execute(db);
    }
    return;
  }
  await sql
    .raw(
      `CREATE OR REPLACE FUNCTION autodev_refuse_edit() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN RAISE EXCEPTION '% are append-only', TG_TABLE_NAME; END $$`,
    )
    .execute(db);
  for (const op of ops) {
    await sql
      .raw(
        `CREATE TRIGGER ${table}_no_${op} BEFORE ${op.toUpperCase()} ON ${table} FOR EACH ROW EXECUTE FUNCTION autodev_refuse_edit()`,
      )
      .execute(db);
  }
  if (ops.includes('delete')) {
    await sql
      .raw(
        `CREATE TRIGGER ${table}_no_truncate BEFORE TRUNCATE ON ${table} FOR EACH STATEMENT EXECUTE FUNCTION autodev_refuse_edit()`,
      )
      .execute(db);
  }
}
