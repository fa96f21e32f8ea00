import { execFile } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { dirname, join, normalize, sep } from 'node:path';
import { promisify } from 'node:util';

const exec = promisify(execFile);

/**
 * A Cargo sparse registry on loopback: plain files (config.json, the index files at cargo's layout,
 * the .crate downloads) in a folder this helper writes, served by a small static file server. Crates
 * are packed by `cargo package` from sources the test gives.
 */
export interface LocalCargoRegistry {
  /** `sparse+http://127.0.0.1:PORT/`, for a `[source.NAME] registry`. */
  indexUrl: string;
  /** `http://127.0.0.1:PORT/` */
  url: string;
  /** `127.0.0.1:PORT`, for setup_network_allow. */
  hostPort: string;
  /** Packs and publishes `name@version` (a library crate with these files beside Cargo.toml). */
  publish(name: string, version: string, files: Record<string, string>): Promise<void>;
  /**
   * Lists `name@version` in the index with no .crate behind it: enough for lookups and for cargo to
   * resolve and lock (a bench's hundreds of crates), not for a download.
   */
  index(name: string, version: string): Promise<void>;
  /** Marks a published version yanked in the index, as `cargo yank` does. */
  yank(name: string, version: string): Promise<void>;
  stop(): Promise<void>;
  /** Serves again on the same port (after stop). */
  start(): Promise<void>;
  close(): Promise<void>;
}

/** cargo's index layout: `1/a`, `2/ab`, `3/a/abc`, `ab/cd/abcd…` (written independently of the product). */
function indexFile(name: string): string {
  const n = name.toLowerCase();
  if (n.length <= 2) return join(String(n.length), n);
  if (n.length === 3) return join('3', n[0] ?? '', n);
  return join(n.slice(0, 2), n.slice(2, 4), n);
}

export async function startLocalCargoRegistry(): Promise<LocalCargoRegistry> {
  const root = await mkdtemp(join(tmpdir(), 'autodev-cargo-registry-'));
  const files = join(root, 'files');
  const work = join(root, 'work');
  await mkdir(files, { recursive: true });
  let server: http.Server | undefined;
  let port = 0;

  const serve = (request: http.IncomingMessage, response: http.ServerResponse): void => {
    const path = normalize(decodeURIComponent(new URL(request.url ?? '/', 'http://x').pathname));
    const file = join(files, path);
    if (!file.startsWith(files + sep)) {
      response.writeHead(404).end();
      return;
    }
    readFile(file).then(
      (body) => response.writeHead(200, { 'content-length': body.length }).end(body),
      () => response.writeHead(404).end(),
    );
  };
  const start = async (): Promise<void> => {
    server = http.createServer(serve);
    const listening = server;
    await new Promise<void>((resolve) => listening.listen(port, '127.0.0.1', resolve));
    port = (listening.address() as AddressInfo).port;
  };
  const stop = async (): Promise<void> => {
    const running = server;
    server = undefined;
    if (running) {
      running.closeAllConnections();
      await new Promise<void>((resolve) => running.close(() => resolve()));
    }
  };
  await start();
  const url = `http://127.0.0.1:${String(port)}/`;
  await writeFile(
    join(files, 'config.json'),
    JSON.stringify({ dl: `${url}api/v1/crates/{crate}/{version}/download` }),
  );

  const lines = new Map<string, Record<string, unknown>[]>();
  const writeIndex = async (name: string): Promise<void> => {
    const file = join(files, indexFile(name));
    await mkdir(dirname(file), { recursive: true });
    await writeFile(file, (lines.get(name) ?? []).map((line) => `${JSON.stringify(line)}\n`).join(''));
  };

  return {
    indexUrl: `sparse+${url}`,
    url,
    hostPort: `127.0.0.1:${String(port)}`,
    async publish(name, version, sources) {
      const dir = join(work, `${name}-${version}`);
      await mkdir(join(dir, 'src'), { recursive: true });
      await writeFile(
        join(dir, 'Cargo.toml'),
        `[package]\nname = "${name}"\nversion = "${version}"\nedition = "2021"\ndescription = "test crate"\nlicense = "MIT"\n`,
      );
      for (const [file, text] of Object.entries(sources)) {
        await mkdir(dirname(join(dir, file)), { recursive: true });
        await writeFile(join(dir, file), text);
      }
      await exec('cargo', ['package', '--no-verify', '--allow-dirty', '--offline', '--quiet'], {
        cwd: dir,
        env: {
          PATH: process.env.PATH ?? '/usr/bin:/bin',
          HOME: process.env.HOME ?? root,
          CARGO_HOME: join(root, 'cargo-home'),
          ...(process.env.RUSTUP_HOME ? { RUSTUP_HOME: process.env.RUSTUP_HOME } : {}),
        },
      });
      const crate = await readFile(join(dir, 'target', 'package', `${name}-${version}.crate`));
      const download = join(files, 'api', 'v1', 'crates', name, version, 'download');
      await mkdir(dirname(download), { recursive: true });
      await writeFile(download, crate);
      const cksum = createHash('sha256').update(crate).digest('hex');
      lines.set(name, [
        ...(lines.get(name) ?? []),
        { name, vers: version, deps: [], cksum, features: {}, yanked: false },
      ]);
      await writeIndex(name);
    },
    async index(name, version) {
      const cksum = createHash('sha256').update(`${name}@${version}`).digest('hex');
      lines.set(name, [
        ...(lines.get(name) ?? []),
        { name, vers: version, deps: [], cksum, features: {}, yanked: false },
      ]);
      await writeIndex(name);
    },
    async yank(name, version) {
      for (const line of lines.get(name) ?? []) if (line.vers === version) line.yanked = true;
      await writeIndex(name);
    },
    stop,
    start,
    async close() {
      await stop();
      await rm(root, { recursive: true, force: true });
    },
  };
}
