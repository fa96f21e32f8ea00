import { mkdir, mkdtemp, readFile, rm, writeFile, appendFile } from 'node:fs/promises';
import http from 'node:http';
import { tmpdir } from 'node:os';
import { join, normalize, sep } from 'node:path';
import { buildZip } from './archives.js';

/**
 * A Go module proxy as plain files (the GOPROXY protocol is a file layout: <module>/@v/list,
 * <version>.info, .mod, .zip), served by a small static server on loopback. Its URL names the host
 * `127.1`: go never sends a loopback address through HTTP_PROXY, and the sandbox reaches the host
 * only through its proxy, so the proxy must be named as go does not recognise loopback; node and
 * the sandbox's proxy read `127.1` as 127.0.0.1.
 */
export interface LocalGoProxy {
  /** `http://127.1:PORT`, for GOPROXY. */
  url: string;
  /** `127.0.0.1:PORT`, for setup_network_allow. */
  hostPort: string;
  /** Publishes `modulePath@version` with these files (go.mod written from the path when absent). */
  publish(modulePath: string, version: string, files: Record<string, string>, time?: Date): Promise<void>;
  stop(): Promise<void>;
  /** Serves again on the same port (after stop). */
  start(): Promise<void>;
  close(): Promise<void>;
}

/** The proxy protocol's case encoding: an upper-case letter is `!` and its lower case. */
const escape = (text: string): string => text.replace(/[A-Z]/g, (c) => `!${c.toLowerCase()}`);

/** A zip of stored (uncompressed) entries: what go's module zips need. */
export function storedZip(entries: Record<string, string>): Buffer {
  return buildZip(Object.entries(entries).map(([name, data]) => ({ name, data })));
}

export async function startLocalGoProxy(): Promise<LocalGoProxy> {
  const root = await mkdtemp(join(tmpdir(), 'autodev-goproxy-'));
  const server = http.createServer((req, res) => {
    const file = normalize(join(root, decodeURIComponent((req.url ?? '/').split('?')[0] ?? '/')));
    if (!file.startsWith(root + sep)) {
      res.writeHead(400).end();
      return;
    }
    readFile(file).then(
      (body) => res.writeHead(200).end(body),
      () => res.writeHead(404, { 'content-type': 'text/plain' }).end('not found\n'),
    );
  });
  let port = 0;
  const listen = (): Promise<void> =>
    new Promise((resolve, reject) => {
      server.once('error', reject);
      server.listen(port, '127.0.0.1', () => {
        const address = server.address();
        port = typeof address === 'object' && address ? address.port : 0;
        resolve();
      });
    });
  await listen();
  const stop = (): Promise<void> =>
    new Promise((resolve) => {
      server.close(() => resolve());
      server.closeAllConnections();
    });
  return {
    url: `http://127.1:${String(port)}`,
    hostPort: `127.0.0.1:${String(port)}`,
    async publish(modulePath, version, files, time = new Date()) {
      const dir = join(root, escape(modulePath), '@v');
      await mkdir(dir, { recursive: true });
      const goMod = files['go.mod'] ?? `module ${modulePath}\n\ngo 1.21\n`;
      const zipEntries = Object.fromEntries(
        Object.entries({ ...files, 'go.mod': goMod }).map(([name, text]) => [
          `${modulePath}@${version}/${name}`,
          text,
        ]),
      );
      const base = join(dir, escape(version));
      await writeFile(`${base}.mod`, goMod);
      await writeFile(`${base}.zip`, storedZip(zipEntries));
      await writeFile(`${base}.info`, JSON.stringify({ Version: version, Time: time.toISOString() }));
      await appendFile(join(dir, 'list'), `${version}\n`);
    },
    stop,
    start: listen,
    async close() {
      if (server.listening) await stop();
      await rm(root, { recursive: true, force: true });
    },
  };
}
