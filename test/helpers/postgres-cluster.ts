import { execFile } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { chmodSync, chownSync, existsSync, mkdtempSync, readdirSync, writeFileSync } from 'node:fs';
import { rm } from 'node:fs/promises';
import { join } from 'node:path';
import { promisify } from 'node:util';
import pg from 'pg';
import { freePort } from './opa-server.js';

const run = promisify(execFile);

/** A throwaway PostgreSQL server for one test file: real initdb, real postgres, on loopback. */
export interface PostgresCluster {
  port: number;
  /** The superuser's password (the URLs carry it: tests check it is redacted). */
  password: string;
  /** A fresh, empty database on the cluster; its URL (with the password). */
  createDatabase(): Promise<string>;
  /** `pg_ctl restart -m fast`: every connection is cut, the server is back on the same port. */
  restart(): Promise<void>;
  /** Stops the server (it stays stopped until start). */
  stopServer(): Promise<void>;
  startServer(): Promise<void>;
  /** Stops the server and removes its files. */
  destroy(): Promise<void>;
}

const USER = 'autodev';

/** initdb and pg_ctl: on PATH, or where Debian's postgresql package puts them. */
function binDir(): string {
  for (const dir of (process.env.PATH ?? '').split(':')) if (existsSync(join(dir, 'initdb'))) return dir;
  const root = '/usr/lib/postgresql';
  const versions = existsSync(root) ? readdirSync(root).sort().reverse() : [];
  for (const version of versions) {
    const dir = join(root, version, 'bin');
    if (existsSync(join(dir, 'initdb'))) return dir;
  }
  throw new Error('initdb not found on PATH nor under /usr/lib/postgresql: run `npm run setup`');
}

/**
 * postgres refuses to run as root: run as root, the cluster belongs to `nobody` and every server
 * command runs as it (setpriv), in a directory outside the test run's private (0700) TMPDIR.
 */
async function unprivileged(): Promise<{ uid: number; gid: number } | undefined> {
  if (process.getuid?.() !== 0) return undefined;
  const uid = Number((await run('id', ['-u', 'nobody'])).stdout.trim());
  const gid = Number((await run('id', ['-g', 'nobody'])).stdout.trim());
  return { uid, gid };
}

export async function startPostgresCluster(): Promise<PostgresCluster> {
  const bin = binDir();
  const owner = await unprivileged();
  const dir = mkdtempSync(owner ? '/tmp/autodev-pg-' : join(process.env.TMPDIR ?? '/tmp', 'autodev-pg-'));
  const data = join(dir, 'data');
  // A credential, not test data: unpredictable on purpose (a seeded one would be the same every run).
  const password = randomBytes(12).toString('hex');
  const pwfile = join(dir, 'pwfile');
  writeFileSync(pwfile, `${password}\n`);
  if (owner) {
    chownSync(dir, owner.uid, owner.gid);
    chownSync(pwfile, owner.uid, owner.gid);
    chmodSync(dir, 0o700);
  }
  const as = (file: string, args: string[]) => {
    const command = owner
      ? run('setpriv', [
          `--reuid=${owner.uid}`,
          `--regid=${owner.gid}`,
          '--clear-groups',
          '--',
          join(bin, file),
          ...args,
        ])
      : run(join(bin, file), args);
    return command.catch((error: Error & { stderr?: string }) => {
      throw new Error(`${file} ${args.join(' ')} failed: ${error.message}\n${error.stderr ?? ''}`);
    });
  };
  await as('initdb', [
    '-D',
    data,
    '-U',
    USER,
    `--pwfile=${pwfile}`,
    '--auth-host=scram-sha-256',
    '--auth-local=trust',
    '--encoding=UTF8',
    '--no-sync',
  ]);
  const port = await freePort();
  // Durability settings off: a test cluster lives seconds; restart keeps these (postmaster.opts).
  const options = [
    `-p ${port}`,
    '-c listen_addresses=127.0.0.1',
    `-c unix_socket_directories=${dir}`,
    '-c fsync=off',
    '-c synchronous_commit=off',
    '-c full_page_writes=off',
    '-c max_connections=200',
  ].join(' ');
  const log = join(dir, 'server.log');
  const startServer = async () => {
    await as('pg_ctl', ['-D', data, '-l', log, '-o', options, '-w', '-t', '60', 'start']);
  };
  await startServer();
  const adminUrl = `postgres://${USER}:${password}@127.0.0.1:${port}/postgres`;
  let databases = 0;
  return {
    port,
    password,
    async createDatabase() {
      databases += 1;
      const name = `autodev_${process.pid}_${databases}`;
      const client = new pg.Client({ connectionString: adminUrl });
      await client.connect();
      try {
        await client.query(`CREATE DATABASE ${name}`);
      } finally {
        await client.end();
      }
      return `postgres://${USER}:${password}@127.0.0.1:${port}/${name}`;
    },
    async restart() {
      await as('pg_ctl', ['-D', data, '-l', log, '-w', '-t', '60', '-m', 'fast', 'restart']);
    },
    async stopServer() {
      await as('pg_ctl', ['-D', data, '-w', '-t', '60', '-m', 'fast', 'stop']);
    },
    startServer,
    async destroy() {
      await as('pg_ctl', ['-D', data, '-w', '-t', '60', '-m', 'immediate', 'stop']).catch(() => undefined);
      await rm(dir, { recursive: true, force: true, maxRetries: 3 });
    },
  };
}
