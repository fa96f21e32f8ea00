import { mkdtemp, rm } from 'node:fs/promises';
import { createServer, type IncomingMessage } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startGitHttpServer } from '../git-http-server.js';
import { readBody } from './read-body.js';

/** An answer a test injects in place of the fake's own. */
export interface FakeForgeFault {
  status: number;
  headers?: Record<string, string>;
  /** Only the request `METHOD /path` (no query) gets it; absent: the next request, whatever it is. */
  match?: string;
  /** Runs before the fault is answered: another client's act racing this request. */
  before?: () => Promise<unknown>;
}

/** One API request that got no injected fault, for the forge's own routing. */
export interface FakeForgeRequest {
  req: IncomingMessage;
  method: string;
  url: URL;
  /** The body as sent (empty when none). */
  raw: string;
  /** Base URL of the git side: a repo's web and clone URLs start with it. */
  gitUrl: string;
  send(status: number, body?: unknown, headers?: Record<string, string>): void;
  /** Records what broke the forge's published contract and refuses the request with 400. */
  refuse(problems: string[]): void;
}

export interface FakeForgeServerOptions {
  /** `gitea`, `gitlab`: names the temp folder. */
  name: string;
  /** The `Authorization` header git over HTTP must carry (the forge's token as basic auth). */
  gitAuthorization: string;
  /** The credential a request carries, as the test reads it back from `authorizations`. */
  credentialOf(req: IncomingMessage): string | undefined;
  /** The forge's error body for a message (each forge has its own shape). */
  errorBody(message: string): unknown;
  /** Checks every answer before it goes out, the injected ones too: what it finds is a violation. */
  checkAnswer?(method: string, url: URL, status: number, body: unknown): string[];
  serve(request: FakeForgeRequest): Promise<void>;
}

export interface FakeForgeServer {
  /** The instance's base URL, for `[autodev.git] api_url`. */
  apiUrl: string;
  gitUrl: string;
  /** Folder of the bare repos the git side serves, removed on close. */
  root: string;
  /** Every API request as `METHOD /path?query` (the token must never appear in one). */
  requests: string[];
  authorizations: (string | undefined)[];
  /** Requests or answers the forge's contract does not allow: a test expects none. */
  violations: string[];
  /** The next API requests answer these faults, in order, instead of being served. */
  failNext(...faults: FakeForgeFault[]): void;
  close(): Promise<void>;
}

/** What every fake forge gives a test besides its own API shape. */
export type FakeForgeHandle = Pick<
  FakeForgeServer,
  'apiUrl' | 'failNext' | 'requests' | 'authorizations' | 'violations' | 'close'
>;

/**
 * What a fake forge on loopback needs besides its own API shape: real git over smart HTTP for the
 * bare repos under a temp root, the request log, injected faults, contract-violation collection, a
 * bounded body, and a 500 naming the error when a route throws.
 */
export async function startFakeForgeServer(options: FakeForgeServerOptions): Promise<FakeForgeServer> {
  const root = await mkdtemp(join(tmpdir(), `fake-${options.name}-`));
  const gitServer = await startGitHttpServer({ root, requireAuthorization: options.gitAuthorization });
  const faults: FakeForgeFault[] = [];
  const requests: string[] = [];
  const authorizations: (string | undefined)[] = [];
  const violations: string[] = [];

  const server = createServer((req, res) => {
    void (async () => {
      const url = new URL(req.url ?? '/', 'http://fake');
      const method = req.method ?? 'GET';
      requests.push(`${method} ${url.pathname}${url.search}`);
      authorizations.push(options.credentialOf(req));
      const raw = await readBody(req);
      const send = (status: number, body?: unknown, headers: Record<string, string> = {}) => {
        violations.push(...(options.checkAnswer?.(method, url, status, body) ?? []));
        res.writeHead(status, { 'content-type': 'application/json', ...headers });
        res.end(body === undefined ? '' : JSON.stringify(body));
      };
      const index = faults.findIndex((f) => f.match === undefined || f.match === `${method} ${url.pathname}`);
      const fault = index >= 0 ? faults.splice(index, 1)[0] : undefined;
      if (fault?.before) await fault.before();
      if (fault) return send(fault.status, options.errorBody('injected fault'), fault.headers);
      await options.serve({
        req,
        method,
        url,
        raw,
        gitUrl: gitServer.url,
        send,
        refuse(problems) {
          violations.push(...problems);
          send(400, options.errorBody(`contract violation: ${problems.join('; ')}`));
        },
      });
    })().catch((error: unknown) => {
      res
        .writeHead(500, { 'content-type': 'application/json' })
        .end(JSON.stringify({ message: String(error) }));
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));

  return {
    apiUrl: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    gitUrl: gitServer.url,
    root,
    requests,
    authorizations,
    violations,
    failNext: (...more) => faults.push(...more),
    async close() {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
      await gitServer.close();
      await rm(root, { recursive: true, force: true });
    },
  };
}
