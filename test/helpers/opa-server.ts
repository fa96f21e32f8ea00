import { spawn, type ChildProcess } from 'node:child_process';
import { createServer as createHttpServer, type RequestListener } from 'node:http';
import { createServer } from 'node:net';
import { resolve } from 'node:path';

const REPO_ROOT = resolve(import.meta.dirname, '../..');
/** The real OPA binary the test command installs; on PATH first, else the repo's .tools/bin. */
const OPA = process.env.PATH?.split(':').some((dir) => dir.endsWith('.tools/bin'))
  ? 'opa'
  : resolve(REPO_ROOT, '.tools/bin/opa');

/** The shipped policies (policies/autodev/merge.rego). */
export const SHIPPED_POLICIES = resolve(REPO_ROOT, 'policies');

export interface OpaServer {
  url: string;
  close(): Promise<void>;
}

/** A loopback port that was free a moment ago: OPA needs a concrete one, it cannot report port 0. */
export async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((done) => server.listen(0, '127.0.0.1', done));
  const address = server.address();
  await new Promise<void>((done) => server.close(() => done()));
  if (address === null || typeof address === 'string') throw new Error('no port');
  return address.port;
}

async function healthy(url: string, child: ChildProcess, deadline: number): Promise<void> {
  while (Date.now() < deadline) {
    if (child.exitCode !== null) throw new Error(`opa exited with ${child.exitCode}`);
    try {
      const response = await fetch(`${url}/health`);
      if (response.ok) return;
    } catch {
      // Not listening yet.
    }
    await new Promise((r) => setTimeout(r, 50));
  }
  throw new Error(`opa at ${url} did not become healthy`);
}

/** Policies written for OPA 0.x (the seed's policy.rego): test/fixtures/policies/seed. */
export const SEED_POLICY = resolve(REPO_ROOT, 'test/fixtures/policies/seed/policy.rego');
/** A policy that allows every change and denies nothing (package allowall.merge). */
export const ALLOW_ALL_POLICY = resolve(REPO_ROOT, 'test/fixtures/policies/allow-all.rego');

/**
 * A real `opa run --server` on loopback with the given policy files or folders loaded; `v0Compatible`
 * parses them as Rego v0 (OPA 1.x's `--v0-compatible`), as the seed's policy needs.
 */
export async function startOpaServer(
  paths: readonly string[] = [SHIPPED_POLICIES],
  options: { v0Compatible?: boolean } = {},
): Promise<OpaServer> {
  // Another process may take the port between the probe and OPA's bind: try a few.
  for (let tries = 0; ; tries += 1) {
    const port = await freePort();
    const url = `http://127.0.0.1:${port}`;
    const child = spawn(
      OPA,
      [
        'run',
        '--server',
        '--addr',
        `127.0.0.1:${port}`,
        '--log-level',
        'error',
        ...(options.v0Compatible ? ['--v0-compatible'] : []),
        ...paths,
      ],
      {
        stdio: ['ignore', 'ignore', 'pipe'],
      },
    );
    let stderr = '';
    child.stderr?.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    try {
      await healthy(url, child, Date.now() + 15_000);
      return {
        url,
        close: () =>
          new Promise<void>((done) => {
            if (child.exitCode !== null) return done();
            child.once('exit', () => done());
            child.kill('SIGTERM');
          }),
      };
    } catch (error) {
      child.kill('SIGKILL');
      if (tries >= 2) throw new Error(`could not start opa: ${String(error)}\n${stderr}`);
    }
  }
}

/** A loopback HTTP server under the test's control: the wire-level fake for answers OPA never gives. */
export async function startLoopbackHttp(
  handler: RequestListener,
): Promise<{ url: string; close(): Promise<void> }> {
  const server = createHttpServer(handler);
  await new Promise<void>((done) => server.listen(0, '127.0.0.1', done));
  const address = server.address();
  if (address === null || typeof address === 'string') throw new Error('no port');
  return {
    url: `http://127.0.0.1:${address.port}`,
    close: () =>
      new Promise<void>((done) => {
        // A handler that never answers holds its connection open: cut it.
        server.closeAllConnections();
        server.close(() => done());
      }),
  };
}
