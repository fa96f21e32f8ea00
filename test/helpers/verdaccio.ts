import { spawn, execFile, type ChildProcess } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import net from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';

const exec = promisify(execFile);
const VERDACCIO_BIN = join(process.cwd(), 'node_modules', 'verdaccio', 'bin', 'verdaccio');

/** A real Verdaccio (6.8) on loopback with no uplink: it serves only what a test publishes to it. */
export interface LocalNpmRegistry {
  /** `http://127.0.0.1:PORT/` */
  url: string;
  /** `127.0.0.1:PORT`, for setup_network_allow. */
  hostPort: string;
  /** Publishes `name@version` with these files (package.json is written from name and version). */
  publish(name: string, version: string, files: Record<string, string>): Promise<void>;
  stop(): Promise<void>;
  /** Starts it again on the same port and storage (after stop). */
  start(): Promise<void>;
  close(): Promise<void>;
}

async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      const port = typeof address === 'object' && address ? address.port : 0;
      server.close(() => resolve(port));
    });
  });
}

async function waitUntilServing(url: string, child: ChildProcess, output: () => string): Promise<void> {
  for (let i = 0; i < 300; i += 1) {
    if (child.exitCode !== null) throw new Error(`verdaccio exited ${String(child.exitCode)}: ${output()}`);
    const ok = await fetch(`${url}-/ping`).then(
      (r) => r.ok,
      () => false,
    );
    if (ok) return;
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`verdaccio did not answer at ${url}: ${output()}`);
}

export async function startLocalNpmRegistry(): Promise<LocalNpmRegistry> {
  const dir = await mkdtemp(join(tmpdir(), 'autodev-verdaccio-'));
  const port = await freePort();
  const hostPort = `127.0.0.1:${String(port)}`;
  const url = `http://${hostPort}/`;
  await writeFile(
    join(dir, 'config.yaml'),
    [
      `storage: ${join(dir, 'storage')}`,
      'auth:',
      '  htpasswd:',
      `    file: ${join(dir, 'htpasswd')}`,
      'uplinks: {}',
      'packages:',
      "  '**':",
      '    access: $all',
      '    publish: $all',
      '    unpublish: $all',
      'log: { type: stdout, format: pretty, level: warn }',
      '',
    ].join('\n'),
  );
  let child: ChildProcess | undefined;
  let output = '';
  const start = async (): Promise<void> => {
    output = '';
    child = spawn(
      process.execPath,
      [VERDACCIO_BIN, '--config', join(dir, 'config.yaml'), '--listen', hostPort],
      {
        stdio: ['ignore', 'pipe', 'pipe'],
        env: { PATH: process.env.PATH ?? '/usr/bin:/bin', HOME: dir },
      },
    );
    child.stdout?.on('data', (chunk: Buffer) => (output = (output + chunk.toString()).slice(-4000)));
    child.stderr?.on('data', (chunk: Buffer) => (output = (output + chunk.toString()).slice(-4000)));
    await waitUntilServing(url, child, () => output);
  };
  const stop = async (): Promise<void> => {
    const running = child;
    child = undefined;
    if (!running || running.exitCode !== null) return;
    await new Promise<void>((resolve) => {
      running.once('exit', () => resolve());
      running.kill('SIGTERM');
    });
  };
  await start();

  return {
    url,
    hostPort,
    async publish(name, version, files) {
      const work = await mkdtemp(join(dir, 'pack-'));
      await mkdir(join(work, 'package'), { recursive: true });
      const manifest = { name, version, main: 'index.js', license: 'MIT' };
      await writeFile(join(work, 'package', 'package.json'), JSON.stringify(manifest, null, 2));
      for (const [file, content] of Object.entries(files))
        await writeFile(join(work, 'package', file), content);
      const tarball = join(work, 'package.tgz');
      await exec('tar', ['-czf', tarball, '-C', work, 'package']);
      const data = await readFile(tarball);
      const file = `${name.replace(/^@[^/]+\//, '')}-${version}.tgz`;
      const body = {
        _id: name,
        name,
        'dist-tags': { latest: version },
        versions: {
          [version]: {
            ...manifest,
            _id: `${name}@${version}`,
            dist: {
              shasum: createHash('sha1').update(data).digest('hex'),
              integrity: `sha512-${createHash('sha512').update(data).digest('base64')}`,
              tarball: `${url}${name}/-/${file}`,
            },
          },
        },
        _attachments: {
          [file]: {
            content_type: 'application/octet-stream',
            data: data.toString('base64'),
            length: data.length,
          },
        },
      };
      const response = await fetch(`${url}${name.replace('/', '%2f')}`, {
        method: 'PUT',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify(body),
      });
      if (!response.ok)
        throw new Error(`publish ${name}@${version}: ${String(response.status)} ${await response.text()}`);
      await rm(work, { recursive: true, force: true });
    },
    stop,
    start,
    async close() {
      await stop();
      await rm(dir, { recursive: true, force: true });
    },
  };
}
