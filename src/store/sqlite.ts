import { mkdirSync } from 'node:fs';
import { dirname, join } from 'node:path';
import SqliteDatabase from 'better-sqlite3';
import { Kysely, SqliteDialect } from 'kysely';
import type { Redact } from '../secrets/redact.js';
import { migrateToLatest } from './migrate.js';
import { withStatementCache } from './statement-cache.js';
import { createRepositories } from './repositories.js';
import type { Database } from './tables.js';
import type { Store } from './types.js';

export function databasePath(dataDir: string): string {
  return join(dataDir, 'autodev.sqlite');
}

/** Opens (creating and migrating) the SQLite store under data_dir: the embedded default. */
export async function openSqliteStore(options: { dataDir: string; redact: Redact }): Promise<Store> {
  const file = databasePath(options.dataDir);
  mkdirSync(dirname(file), { recursive: true });
  const sqlite = new SqliteDatabase(file);
  // WAL keeps readers (the API) from blocking the writer (the orchestrator); busy_timeout covers
  // a second process (a worker or the CLI) holding the write lock for a moment.
  sqlite.pragma('journal_mode = WAL');
  sqlite.pragma('busy_timeout = 5000');
  sqlite.pragma('foreign_keys = ON');
  sqlite.pragma('synchronous = NORMAL');
  const db = new Kysely<Database>({ dialect: new SqliteDialect({ database: withStatementCache(sqlite) }) });
  await migrateToLatest(db, 'sqlite');
  return {
    ...createRepositories(db, options.redact, 'sqlite'),
    kind: 'sqlite',
    location: file,
    close: () => db.destroy(),
  };
}
