import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCli } from '../helpers/cli-process.js';
import { freePort } from '../helpers/opa-server.js';
import { startPostgresCluster, type PostgresCluster } from '../helpers/postgres-cluster.js';

interface Report {
  status: string;
  checks: { name: string; status: string; message: string }[];
}

describe('the PostgreSQL store through the CLI', () => {
  let cluster: PostgresCluster;
  let dir: string;
  beforeAll(async () => {
    cluster = await startPostgresCluster();
    dir = await mkdtemp(join(tmpdir(), 'autodev-pg-cli-'));
  });
  afterAll(async () => {
    await cluster?.destroy();
    await rm(dir, { recursive: true, force: true });
  });

  it('`autodev serve` with PostgreSQL unreachable says so naming the address, never the password, and exits non-zero', async () => {
    const port = await freePort();
    const url = `postgres://autodev:${cluster.password}@127.0.0.1:${port}/autodev`;
    const config = join(dir, 'serve.toml');
    await writeFile(
      config,
      `[autodev]\ndata_dir = "${join(dir, 'data')}"\n\n[autodev.store]\nurl = "${url}"\n`,
    );
    const { code, stdout, stderr } = await runCli(['serve', '--config', config, '--port', '0']);
    expect(code).not.toBe(0);
    expect(stderr).toContain('STORE_UNAVAILABLE');
    expect(stderr).toContain(`127.0.0.1:${port}`);
    expect(stderr + stdout).not.toContain(cluster.password);
    // The same through the environment variable.
    const fromEnv = await runCli(['serve', '--port', '0'], {
      AUTODEV_DATA_DIR: join(dir, 'data'),
      AUTODEV_STORE_URL: url,
    });
    expect(fromEnv.code).not.toBe(0);
    expect(fromEnv.stderr).toContain(`127.0.0.1:${port}`);
    expect(fromEnv.stderr + fromEnv.stdout).not.toContain(cluster.password);
  });

  it('`autodev doctor` shows the store without its password: ok when it answers, a failure naming the address when not', async () => {
    const url = await cluster.createDatabase();
    const up = await runCli(['doctor', '--json'], {
      AUTODEV_DATA_DIR: join(dir, 'data'),
      AUTODEV_STORE_URL: url,
    });
    expect(up.stdout + up.stderr).not.toContain(cluster.password);
    const store = (JSON.parse(up.stdout) as Report).checks.find((c) => c.name === 'store');
    expect(store).toMatchObject({ status: 'ok' });
    expect(store?.message).toMatch(
      new RegExp(`PostgreSQL at postgres://autodev:\\[?REDACTED\\]?@127\\.0\\.0\\.1:${cluster.port}/`),
    );

    const port = await freePort();
    const down = await runCli(['doctor', '--json'], {
      AUTODEV_DATA_DIR: join(dir, 'data'),
      AUTODEV_STORE_URL: url.replace(`:${cluster.port}/`, `:${port}/`),
    });
    expect(down.code).toBe(1);
    expect(down.stdout + down.stderr).not.toContain(cluster.password);
    const failed = (JSON.parse(down.stdout) as Report).checks.find((c) => c.name === 'store');
    expect(failed).toMatchObject({ status: 'fail' });
    expect(failed?.message).toContain(`127.0.0.1:${port}`);
  });
});
