import { existsSync } from 'node:fs';
import Database from 'better-sqlite3';
import { Client, Connection } from '@temporalio/client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTemporalDevServer, type TemporalDevServer } from './temporal-server.js';

/**
 * The dev server the tests and `npm run bench scale-out` start keeps its state in SQLite's
 * write-ahead log, synced on every commit: the engine's overhead per step is then the engine's, not
 * the rollback journal's fsyncs, and a SIGKILLed server still comes back with every workflow.
 */
describe('the Temporal dev server of the tests', () => {
  let server: TemporalDevServer;
  beforeAll(async () => {
    server = await startTemporalDevServer();
  }, 90_000);
  afterAll(async () => server?.close(), 60_000);

  it('writes its state through a write-ahead log and keeps a workflow over a SIGKILL restart', async () => {
    const workflowId = `wal-check-${Date.now()}`;
    const connect = () => Connection.connect({ address: server.address });
    let connection = await connect();
    try {
      // No worker polls this queue: the workflow stays running, recorded only in the server's db.
      await new Client({ connection }).workflow.start('noWorkerHere', { taskQueue: 'wal-check', workflowId });
    } finally {
      await connection.close();
    }
    expect(existsSync(`${server.dbFile}-wal`)).toBe(true);
    const db = new Database(server.dbFile, { readonly: true, fileMustExist: true });
    try {
      expect(db.pragma('journal_mode', { simple: true })).toBe('wal');
    } finally {
      db.close();
    }

    await server.restart();
    connection = await connect();
    try {
      const described = await new Client({ connection }).workflow.getHandle(workflowId).describe();
      expect(described.status.name).toBe('RUNNING');
    } finally {
      await connection.close();
    }
  }, 120_000);
});
