import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import SqliteDatabase from 'better-sqlite3';
import { Kysely, PostgresDialect, SqliteDialect, type CompiledQuery } from 'kysely';
import pg from 'pg';
import { afterAll, afterEach } from 'vitest';
import type { Redact } from '../../src/secrets/redact.js';
import { openStore, type Store } from '../../src/store/index.js';
import type { Database } from '../../src/store/tables.js';
import { startPostgresCluster, type PostgresCluster } from './postgres-cluster.js';

export const STORE_KINDS = ['sqlite', 'postgres'] as const;
export type StoreKind = (typeof STORE_KINDS)[number];

/** Where one store's data lives: a data_dir (SQLite), or a database URL (PostgreSQL). */
export interface StoreLocation {
  dataDir: string;
  url?: string;
}

export interface StoreBackend {
  /** A new, empty location of this kind (a fresh data_dir, or a fresh database on the cluster). */
  newLocation(): Promise<StoreLocation>;
  /** Opens the store at `location` through openStore, as the runtime does; closed after each test. */
  open(location: StoreLocation, redact: Redact): Promise<Store>;
  /** Runs one statement on the database directly, as another client would. */
  exec(location: StoreLocation, statement: string): Promise<void>;
  /** The rows one statement answers, read directly; PostgreSQL may be given settings first (`SET ...; SELECT ...`). */
  query(location: StoreLocation, statement: string): Promise<Record<string, unknown>[]>;
  /**
   * A second connection to the store's database that hands every statement it runs to `onQuery`:
   * give it to a repository's factory to see the SQL that repository sends. Destroy it after use.
   */
  recordingDb(location: StoreLocation, onQuery: (query: CompiledQuery) => void): Kysely<Database>;
  /**
   * The plan of one statement with its parameters, as text. PostgreSQL is told to avoid sequential
   * scans: on a test's few rows its planner would prefer one even where an index serves the query.
   */
  explain(location: StoreLocation, sql: string, parameters: readonly unknown[]): Promise<string>;
  /** Every byte the database keeps of its rows, for "this value is never stored" checks. */
  rawBytes(location: StoreLocation): Promise<Buffer>;
  /** The cluster behind a postgres backend (started on first use), to restart it. */
  cluster(): Promise<PostgresCluster>;
}

/**
 * One backend per store kind for a parameterised describe: `describe.each(STORE_KINDS)` and
 * `useStoreBackend(kind)` inside it. The PostgreSQL cluster starts on first use and stops after
 * the file's tests.
 */
export function useStoreBackend(kind: StoreKind): StoreBackend {
  let cluster: Promise<PostgresCluster> | undefined;
  const opened: Store[] = [];
  afterEach(async () => {
    await Promise.all(opened.splice(0).map((s) => s.close()));
  });
  afterAll(async () => {
    if (cluster) await (await cluster).destroy();
  });
  const getCluster = () => (cluster ??= startPostgresCluster());
  const withClient = async <T>(url: string, use: (client: pg.Client) => Promise<T>): Promise<T> => {
    const client = new pg.Client({ connectionString: url });
    await client.connect();
    try {
      return await use(client);
    } finally {
      await client.end();
    }
  };
  return {
    cluster: getCluster,
    async newLocation() {
      const dataDir = mkdtempSync(join(tmpdir(), 'autodev-store-'));
      if (kind === 'sqlite') return { dataDir };
      return { dataDir, url: await (await getCluster()).createDatabase() };
    },
    async open(location, redact) {
      const store = await openStore({
        dataDir: location.dataDir,
        store: { url: location.url, pool_size: 10, reconnect_secs: 60, connect_timeout_secs: 10 },
        redact,
      });
      opened.push(store);
      return store;
    },
    async exec(location, statement) {
      if (location.url === undefined) {
        const raw = new SqliteDatabase(join(location.dataDir, 'autodev.sqlite'));
        try {
          raw.prepare(statement).run();
        } finally {
          raw.close();
        }
        return;
      }
      await withClient(location.url, async (client) => {
        await client.query(statement);
      });
    },
    async query(location, statement) {
      if (location.url === undefined) {
        const raw = new SqliteDatabase(join(location.dataDir, 'autodev.sqlite'), { readonly: true });
        try {
          return raw.prepare(statement).all() as Record<string, unknown>[];
        } finally {
          raw.close();
        }
      }
      return withClient(location.url, async (client) => {
        // Several statements answer one result each: the last is the query's.
        const results: unknown = await client.query(statement);
        const last = (Array.isArray(results) ? results.at(-1) : results) as pg.QueryResult;
        return last.rows as Record<string, unknown>[];
      });
    },
    recordingDb(location, onQuery) {
      const log = (event: { level: string; query: CompiledQuery }) => onQuery(event.query);
      if (location.url === undefined) {
        const database = new SqliteDatabase(join(location.dataDir, 'autodev.sqlite'));
        return new Kysely<Database>({ dialect: new SqliteDialect({ database }), log });
      }
      const pool = new pg.Pool({ connectionString: location.url, max: 1 });
      return new Kysely<Database>({ dialect: new PostgresDialect({ pool }), log });
    },
    async explain(location, sql, parameters) {
      if (location.url === undefined) {
        const raw = new SqliteDatabase(join(location.dataDir, 'autodev.sqlite'), { readonly: true });
        try {
          const rows = raw.prepare(`EXPLAIN QUERY PLAN ${sql}`).all(...parameters) as { detail: string }[];
          return rows.map((row) => row.detail).join('\n');
        } finally {
          raw.close();
        }
      }
      return withClient(location.url, async (client) => {
        await client.query('SET enable_seqscan = off');
        const result = await client.query<{ 'QUERY PLAN': string }>(`EXPLAIN ${sql}`, [...parameters]);
        return result.rows.map((row) => row['QUERY PLAN']).join('\n');
      });
    },
    async rawBytes(location) {
      if (location.url === undefined) {
        return Buffer.concat(
          ['autodev.sqlite', 'autodev.sqlite-wal'].map((f) => {
            try {
              return readFileSync(join(location.dataDir, f));
            } catch {
              return Buffer.alloc(0);
            }
          }),
        );
      }
      // Every row of every table of the database, as text.
      return withClient(location.url, async (client) => {
        const tables = await client.query<{ tablename: string }>(
          "SELECT tablename FROM pg_tables WHERE schemaname = 'public'",
        );
        const parts: string[] = [];
        for (const { tablename } of tables.rows) {
          const rows = await client.query(`SELECT * FROM "${tablename}"`);
          parts.push(JSON.stringify(rows.rows));
        }
        return Buffer.from(parts.join('\n'));
      });
    },
  };
}
