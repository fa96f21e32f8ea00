import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { rm } from 'node:fs/promises';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { Connection } from '@temporalio/client';
import { dieWithParentPrefix } from '../../src/sandbox/die-with-parent.js';

const REPO_ROOT = resolve(import.meta.dirname, '../..');
/** The pinned CLI `npm run setup` installs (scripts/setup.sh). */
export const TEMPORAL_BIN = join(REPO_ROOT, '.tools/bin/temporal');

/**
 * The dev server's SQLite in write-ahead-log mode, still synced on every commit (durable as before,
 * a power cut included). Its default rollback journal syncs several files per commit, and the server
 * commits about three times per step: on this shared disk that was most of the temporal engine's
 * overhead per step (bench scale-out: ~75 ms → ~20 ms at load average 13). docs/deploy.md says the same.
 */
export const DEV_SERVER_SQLITE_PRAGMAS = ['journal_mode=wal', 'synchronous=full'] as const;

/** A real Temporal dev server (`temporal server start-dev`) on free loopback ports, its state in a temp file. */
export interface TemporalDevServer {
  /** host:port of its frontend, for `[autodev.engine] address`. */
  address: string;
  dbFile: string;
  /**
   * SIGKILL and start again on the same db file and port (a server restart mid-task); `whileDown`
   * runs in between (what happens while Temporal is away).
   */
  restart(options?: { whileDown?: () => Promise<void> }): Promise<void>;
  close(): Promise<void>;
}

async function freePort(): Promise<number> {
  return new Promise((resolvePort, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      const port = typeof address === 'object' && address ? address.port : 0;
      server.close(() => resolvePort(port));
    });
  });
}

async function waitUntilAnswering(address: string, child: ChildProcess, output: () => string): Promise<void> {
  const deadline = Date.now() + 60_000;
  for (;;) {
    if (child.exitCode !== null) throw new Error(`temporal dev server exited:\n${output()}`);
    try {
      const connection = await Connection.connect({ address, connectTimeout: 1_000 });
      try {
        await connection.workflowService.getSystemInfo({});
        // The default namespace is registered a moment after the frontend answers.
        await connection.workflowService.describeNamespace({ namespace: 'default' });
        return;
      } finally {
        await connection.close();
      }
    } catch (error) {
      if (Date.now() > deadline)
        throw new Error(`temporal dev server did not answer in 60 s: ${String(error)}\n${output()}`);
      await new Promise((r) => setTimeout(r, 250));
    }
  }
}

export async function startTemporalDevServer(): Promise<TemporalDevServer> {
  const dir = mkdtempSync(join(tmpdir(), 'autodev-temporal-'));
  const dbFile = join(dir, 'temporal.db');
  const port = await freePort();
  const uiPort = await freePort();
  const address = `127.0.0.1:${port}`;
  const path = process.env.PATH ?? '/usr/bin:/bin';
  let child: ChildProcess;
  let output = '';
  const launch = async () => {
    output = '';
    // Dies with the test process: an orphaned server would hold its port and db file.
    const [launcher = TEMPORAL_BIN, ...prefix] = [...dieWithParentPrefix(path), TEMPORAL_BIN];
    child = spawn(
      launcher,
      [
        ...prefix,
        ...['server', 'start-dev', '--headless', '--ip', '127.0.0.1', '--log-level', 'error'],
        ...['--db-filename', dbFile, '--port', String(port), '--ui-port', String(uiPort)],
        ...DEV_SERVER_SQLITE_PRAGMAS.flatMap((pragma) => ['--sqlite-pragma', pragma]),
      ],
      { env: { PATH: path, HOME: dir }, stdio: ['ignore', 'pipe', 'pipe'] },
    );
    child.stdout?.on('data', (chunk: Buffer) => (output += chunk.toString('utf8')));
    child.stderr?.on('data', (chunk: Buffer) => (output += chunk.toString('utf8')));
    await waitUntilAnswering(address, child, () => output);
  };
  const stop = async (signal: NodeJS.Signals) => {
    if (child.exitCode !== null || child.signalCode !== null) return;
    const exited = new Promise((r) => child.once('exit', r));
    child.kill(signal);
    // A loaded machine may keep a graceful stop waiting: past 15 s it is killed.
    const timer = setTimeout(() => child.kill('SIGKILL'), 15_000);
    await exited;
    clearTimeout(timer);
  };
  await launch();
  return {
    address,
    dbFile,
    async restart(options = {}) {
      await stop('SIGKILL');
      try {
        await options.whileDown?.();
      } finally {
        await launch();
      }
    },
    async close() {
      await stop('SIGTERM');
      await rm(dir, { recursive: true, force: true });
    },
  };
}
