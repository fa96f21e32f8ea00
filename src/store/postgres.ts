import { Kysely, PostgresDialect } from 'kysely';
import pg from 'pg';
import { redactStoreUrl, storeAddress } from '../config/store-schema.js';
import { AutodevError } from '../errors.js';
import type { Redact } from '../secrets/redact.js';
import { migrateToLatest } from './migrate.js';
import { withReconnect } from './reconnect.js';
import { createRepositories } from './repositories.js';
import type { Database } from './tables.js';
import type { Store } from './types.js';

export interface PostgresStoreOptions {
  url: string;
  redact: Redact;
  poolSize: number;
  /** How long the first connection may take before start-up fails naming the address. */
  connectTimeoutMs: number;
  /** How long a store call waits for the database to come back once it was up. */
  reconnectWaitMs: number;
  /** Connection trouble after start (a restart of PostgreSQL), already redacted. */
  warn?: (message: string) => void;
}

const INT8_OID = 20;

/**
 * int8 (bigint columns, COUNT) as a JS number rather than pg's string: leases are epoch ms and counts
 * are small, both far below 2^53, and the repositories compare and add them as numbers.
 */
const types = {
  getTypeParser: ((oid: number, format?: 'text' | 'binary') =>
    oid === INT8_OID && format !== 'binary'
      ? (value: string) => Number(value)
      : pg.types.getTypeParser(oid, format ?? 'text')) as typeof pg.types.getTypeParser,
};

/**
 * Opens the PostgreSQL store (`[autodev.store] url`), migrated like the SQLite one. PostgreSQL that
 * cannot be reached at start is an error naming its address (never the password); later outages
 * make store calls wait (see reconnect.ts).
 */
export async function openPostgresStore(options: PostgresStoreOptions): Promise<Store> {
  const shown = redactStoreUrl(options.url);
  const address = storeAddress(options.url);
  const pool = new pg.Pool({
    connectionString: options.url,
    max: options.poolSize,
    connectionTimeoutMillis: options.connectTimeoutMs,
    types,
    application_name: 'autodev',
  });
  // An idle connection the server closed (a restart) is an 'error' on the pool; unhandled it would
  // end the process. The pool drops that connection and makes a new one on the next call.
  pool.on('error', (error) => {
    options.warn?.(options.redact(`PostgreSQL at ${address} dropped an idle connection: ${error.message}`));
  });
  // A connection in use that the server drops emits 'error' on its client too (besides failing the
  // query, which the reconnect policy retries); with no listener that event would end the process.
  pool.on('connect', (client) => {
    client.on('error', (error) => {
      options.warn?.(options.redact(`PostgreSQL at ${address} dropped a connection: ${error.message}`));
    });
  });
  try {
    const client = await pool.connect();
    client.release();
  } catch (error) {
    await pool.end().catch(() => undefined);
    throw new AutodevError(
      'STORE_UNAVAILABLE',
      options.redact(
        `PostgreSQL store at ${address} (${shown}) is unreachable: ${error instanceof Error ? error.message || String(error) : String(error)}`,
      ),
      { details: { key: 'autodev.store.url', address } },
    );
  }
  const db = new Kysely<Database>({ dialect: new PostgresDialect({ pool }) });
  try {
    await migrateToLatest(db, 'postgres');
  } catch (error) {
    await db.destroy().catch(() => undefined);
    throw error;
  }
  const policy = {
    waitMs: options.reconnectWaitMs,
    onRetry: (error: unknown, attempt: number, delayMs: number) =>
      options.warn?.(
        options.redact(
          `PostgreSQL at ${address} is unreachable (${error instanceof Error ? error.message : String(error)}); store call retried in ${delayMs} ms (attempt ${attempt})`,
        ),
      ),
  };
  const repositories = createRepositories(db, options.redact, 'postgres');
  return {
    tasks: withReconnect(repositories.tasks, policy),
    steps: withReconnect(repositories.steps, policy),
    events: withReconnect(repositories.events, policy),
    pullRequests: withReconnect(repositories.pullRequests, policy),
    prReviews: withReconnect(repositories.prReviews, policy),
    reviewRounds: withReconnect(repositories.reviewRounds, policy),
    logs: withReconnect(repositories.logs, policy),
    conversations: withReconnect(repositories.conversations, policy),
    issues: withReconnect(repositories.issues, policy),
    issueTasks: withReconnect(repositories.issueTasks, policy),
    overview: withReconnect(repositories.overview, policy),
    dependencyUpdates: withReconnect(repositories.dependencyUpdates, policy),
    kind: 'postgres',
    location: shown,
    close: () => db.destroy(),
  };
}
