import { lookup } from 'node:dns/promises';
import http from 'node:http';
import net from 'node:net';
import type { Duplex } from 'node:stream';
import { forbiddenRange } from './address-filter.js';
import { normalizeHost, type AllowList } from './allow-list.js';

/** Resolves a host name to every address it has (all of them are checked, not only the first). */
export type Resolver = (host: string) => Promise<string[]>;

const systemResolver: Resolver = async (host) =>
  (await lookup(host, { all: true, verbatim: true })).map((entry) => entry.address);

export interface FilteringProxyOptions {
  allow: AllowList;
  /** Concurrent client connections; past it the server accepts no more until one ends. */
  maxConnections?: number;
  /** A tunnel or request with no byte either way for this long is closed. */
  idleTimeoutMs?: number;
  resolve?: Resolver;
  /** Most refusals kept for the report (a loop of refused requests must not grow memory). */
  maxRecordedRefusals?: number;
}

export interface FilteringProxy {
  /** Starts listening: a unix socket path (the sandbox's only way out) or a loopback port for tests. */
  listen(target: { path: string } | { port: number; host: string }): Promise<void>;
  /** The TCP port when listening on one. */
  port(): number | undefined;
  /** Why each refused connection was refused, oldest first: `CONNECT 10.0.0.1:443: private address`. */
  refusals(): readonly string[];
  close(): Promise<void>;
}

type Decision = { address: string } | { refused: string };

const DEFAULT_MAX_CONNECTIONS = 64;
const DEFAULT_IDLE_TIMEOUT_MS = 60_000;
const DEFAULT_MAX_REFUSALS = 50;

/**
 * The one way out of a setup sandbox that has network: an HTTP forward proxy (CONNECT for https,
 * passed through untouched; absolute-form requests for http) that reaches only the package
 * registries in `allow`. It resolves each name itself and connects to the address it checked, so a
 * name that resolves to loopback, link-local, private or any non-public address (DNS rebinding
 * included) is refused, as is an IP literal in those ranges.
 */
export function createFilteringProxy(options: FilteringProxyOptions): FilteringProxy {
  const resolve = options.resolve ?? systemResolver;
  const idleMs = options.idleTimeoutMs ?? DEFAULT_IDLE_TIMEOUT_MS;
  const maxRefusals = options.maxRecordedRefusals ?? DEFAULT_MAX_REFUSALS;
  const refused: string[] = [];
  let refusedCount = 0;
  const sockets = new Set<Duplex>();

  function record(what: string, reason: string): string {
    refusedCount += 1;
    const line = `${what}: ${reason}`;
    if (refused.length < maxRefusals) refused.push(line);
    return line;
  }

  async function decide(rawHost: string, port: number): Promise<Decision> {
    const host = normalizeHost(rawHost);
    if (!Number.isInteger(port) || port < 1 || port > 65_535) return { refused: 'no valid port' };
    if (net.isIP(host) !== 0) {
      const range = forbiddenRange(host);
      if (range !== undefined && !options.allow.permitsNonPublic(host, port)) {
        return { refused: `${range} address` };
      }
      if (!options.allow.permits(host, port)) return { refused: 'not a configured package registry' };
      return { address: host };
    }
    if (!options.allow.permits(host, port)) return { refused: 'not a configured package registry' };
    let addresses: string[];
    try {
      addresses = await resolve(host);
    } catch (error) {
      return { refused: `could not resolve (${(error as NodeJS.ErrnoException).code ?? String(error)})` };
    }
    // One bad address refuses the name: connecting to "the first public one" would let a rebinding
    // name pick the moment it answers.
    for (const address of addresses) {
      const range = forbiddenRange(address);
      if (range !== undefined) return { refused: `resolves to ${address}, a ${range} address` };
    }
    const [first] = addresses;
    return first === undefined ? { refused: 'resolves to no address' } : { address: first };
  }

  function track(socket: Duplex): void {
    sockets.add(socket);
    socket.once('close', () => sockets.delete(socket));
  }

  function idle(socket: net.Socket): void {
    socket.setTimeout(idleMs, () => socket.destroy());
  }

  async function onConnect(req: http.IncomingMessage, client: Duplex, head: Buffer): Promise<void> {
    track(client);
    client.on('error', () => client.destroy());
    const target = /^(\[[0-9a-fA-F:.]+\]|[^:[\]/]+):(\d{1,5})$/.exec(req.url ?? '');
    const what = `CONNECT ${req.url ?? ''}`;
    const decision =
      target?.[1] === undefined
        ? { refused: 'expected host:port' }
        : await decide(target[1], Number(target[2]));
    if ('refused' in decision) {
      const line = record(what, decision.refused);
      client.end(
        `HTTP/1.1 403 Forbidden\r\nContent-Type: text/plain\r\nConnection: close\r\n\r\nautodev: ${line}\n`,
      );
      return;
    }
    const upstream = net.connect({ host: decision.address, port: Number(target?.[2]) });
    track(upstream);
    idle(upstream);
    if (client instanceof net.Socket) idle(client);
    upstream.once('connect', () => {
      client.write('HTTP/1.1 200 Connection Established\r\n\r\n');
      if (head.length > 0) upstream.write(head);
      upstream.pipe(client);
      client.pipe(upstream);
    });
    upstream.on('error', (error: NodeJS.ErrnoException) => {
      if (!client.writableEnded && upstream.bytesRead === 0 && upstream.bytesWritten === 0) {
        client.end(
          `HTTP/1.1 502 Bad Gateway\r\nConnection: close\r\n\r\nautodev: ${error.code ?? 'error'}\n`,
        );
      } else {
        client.destroy();
      }
    });
    client.once('close', () => upstream.destroy());
  }

  async function onRequest(req: http.IncomingMessage, res: http.ServerResponse): Promise<void> {
    const what = `${req.method ?? 'GET'} ${req.url ?? ''}`;
    let url: URL | undefined;
    try {
      url = new URL(req.url ?? '');
    } catch {
      url = undefined;
    }
    const decision =
      url?.protocol !== 'http:'
        ? { refused: 'expected an absolute http:// URL (https goes through CONNECT)' }
        : await decide(url.hostname, url.port === '' ? 80 : Number(url.port));
    if ('refused' in decision || url === undefined) {
      const line = record(what, 'refused' in decision ? decision.refused : 'no URL');
      res.writeHead(403, { 'content-type': 'text/plain', connection: 'close' }).end(`autodev: ${line}\n`);
      return;
    }
    const headers = { ...req.headers };
    delete headers['proxy-connection'];
    delete headers['proxy-authorization'];
    const upstream = http.request({
      host: decision.address,
      port: url.port === '' ? 80 : Number(url.port),
      method: req.method,
      path: `${url.pathname}${url.search}`,
      headers,
      timeout: idleMs,
    });
    upstream.on('response', (answer) => {
      res.writeHead(answer.statusCode ?? 502, answer.headers);
      answer.pipe(res);
    });
    upstream.on('timeout', () => upstream.destroy(new Error('idle timeout')));
    upstream.on('error', () => {
      if (!res.headersSent) res.writeHead(502, { connection: 'close' });
      res.end();
    });
    req.pipe(upstream);
  }

  const server = http.createServer((req, res) => {
    void onRequest(req, res);
  });
  server.maxConnections = options.maxConnections ?? DEFAULT_MAX_CONNECTIONS;
  server.headersTimeout = idleMs;
  server.requestTimeout = 0;
  server.on('connect', (req: http.IncomingMessage, socket: Duplex, head: Buffer) => {
    void onConnect(req, socket, head);
  });
  server.on('connection', (socket: net.Socket) => {
    track(socket);
    idle(socket);
  });

  return {
    listen(target) {
      return new Promise((resolveListen, reject) => {
        server.once('error', reject);
        const onListening = (): void => {
          server.off('error', reject);
          resolveListen();
        };
        if ('path' in target) server.listen(target.path, onListening);
        else server.listen(target.port, target.host, onListening);
      });
    },
    port() {
      const address = server.address();
      return typeof address === 'object' && address !== null ? address.port : undefined;
    },
    refusals() {
      const more = refusedCount - refused.length;
      return more > 0 ? [...refused, `(${String(more)} more refused)`] : [...refused];
    },
    close() {
      for (const socket of sockets) socket.destroy();
      return new Promise((resolveClose) => server.close(() => resolveClose()));
    },
  };
}
