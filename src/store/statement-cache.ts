import type { SqliteDatabase, SqliteStatement } from 'kysely';

/** Distinct statements kept: the store's queries are a few dozen shapes; the bound covers generated ones. */
const DEFAULT_CAPACITY = 256;

/**
 * The SQLite handle Kysely is given, with each statement prepared once per SQL text. Kysely's driver
 * prepares every query it runs; parsing and planning cost as much as running a small query, and the
 * API runs a handful per request on the one event loop (issue #20: GET /overview runs seven).
 * Statements are re-run with new parameters; SQLite re-prepares one itself after a schema change.
 * Kysely runs one query at a time on the connection, so no cached statement is used by two at once.
 * Least recently used first out when full.
 */
export function withStatementCache(
  database: SqliteDatabase,
  capacity: number = DEFAULT_CAPACITY,
): SqliteDatabase & { cachedStatements(): number } {
  const statements = new Map<string, SqliteStatement>();
  return {
    close: () => {
      statements.clear();
      database.close();
    },
    prepare(sql) {
      const cached = statements.get(sql);
      if (cached !== undefined) {
        // Re-inserted: Map keeps insertion order, so the first key is the least recently used.
        statements.delete(sql);
        statements.set(sql, cached);
        return cached;
      }
      const statement = database.prepare(sql);
      statements.set(sql, statement);
      if (statements.size > capacity) {
        const oldest = statements.keys().next().value;
        if (oldest !== undefined) statements.delete(oldest);
      }
      return statement;
    },
    cachedStatements: () => statements.size,
  };
}
