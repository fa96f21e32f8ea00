import pg from 'pg';

/**
 * One connection and `SELECT 1` to the PostgreSQL store, for the self-check: undefined when it
 * answers, else why not (the driver's message; the caller redacts). Kept here so the store stays
 * the only module that speaks SQL.
 */
export async function probePostgres(url: string, timeoutMs: number): Promise<string | undefined> {
  const client = new pg.Client({ connectionString: url, connectionTimeoutMillis: timeoutMs });
  client.on('error', () => undefined);
  try {
    await client.connect();
    await client.query('SELECT 1');
    return undefined;
  } catch (error) {
    return error instanceof Error ? error.message || error.name : String(error);
  } finally {
    await client.end().catch(() => undefined);
  }
}
