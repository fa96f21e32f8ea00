/**
 * The API load of api-load.bench.ts (1,000 submissions, 10,000 GET /tasks over them, 32 in flight)
 * on the PostgreSQL store ([autodev.store] url) of a throwaway local cluster, to read beside the
 * SQLite figures of the same run. Each row's baseline is GET /healthz of the same server.
 */
import { startPostgresCluster } from '../test/helpers/postgres-cluster.js';
import { runApiLoad } from './api-load.bench.js';
import type { BenchRow } from './types.js';

export async function bench(): Promise<BenchRow[]> {
  const cluster = await startPostgresCluster();
  try {
    const rows = await runApiLoad(await cluster.createDatabase());
    return rows.map((row) => ({ ...row, name: `postgres: ${row.name}` }));
  } finally {
    await cluster.destroy();
  }
}
