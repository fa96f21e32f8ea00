import type { StoreSettings } from '../config/store-schema.js';
import type { Redact } from '../secrets/redact.js';
import { openPostgresStore } from './postgres.js';
import { openSqliteStore } from './sqlite.js';
import type { Store } from './types.js';

export type { TaskFilter, TaskPatch } from './task-repository.js';
export type { Store } from './types.js';
export { databasePath, openSqliteStore } from './sqlite.js';
export { openPostgresStore } from './postgres.js';

export interface OpenStoreOptions {
  dataDir: string;
  store: StoreSettings;
  redact: Redact;
  /** Connection trouble of the PostgreSQL store after start, already redacted. */
  warn?: (message: string) => void;
}

/** The store the config names: PostgreSQL with `[autodev.store] url`, SQLite under data_dir without. */
export async function openStore(options: OpenStoreOptions): Promise<Store> {
  const { url } = options.store;
  if (url === undefined) return openSqliteStore({ dataDir: options.dataDir, redact: options.redact });
  return openPostgresStore({
    url,
    redact: options.redact,
    poolSize: options.store.pool_size,
    connectTimeoutMs: options.store.connect_timeout_secs * 1000,
    reconnectWaitMs: options.store.reconnect_secs * 1000,
    ...(options.warn ? { warn: options.warn } : {}),
  });
}
