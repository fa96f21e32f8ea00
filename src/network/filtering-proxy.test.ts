import http from 'node:http';
import net from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startLoopbackListener } from '../sandbox/conformance.js';
import { AllowList, parseAllowEntry } from './allow-list.js';
import { createFilteringProxy, type FilteringProxy } from './filtering-proxy.js';

/** CONNECTs through the proxy and answers the status line's code (or the socket error's code). */
function connectThrough(proxyPort: number, target: string): Promise<string> {
  return new Promise((resolve) => {
    const request = http.request({ host: '127.0.0.1', port: proxyPort, method: 'CONNECT', path: target });
    request.on('connect', (res, socket) => {
      socket.destroy();
      resolve(String(res.statusCode));
    });
    request.on('response', (res) => resolve(String(res.statusCode)));
    request.on('error', (error: NodeJS.ErrnoException) => resolve(error.code ?? 'error'));
    request.end();
  });
}

function getThrough(proxyPort: number, url: string): Promise<string> {
  return new Promise((resolve) => {
    const request = http.request({ host: '127.0.0.1', port: proxyPort, method: 'GET', path: url });
    request.on('response', (res) => {
      res.resume();
      resolve(String(res.statusCode));
    });
    request.on('error', (error: NodeJS.ErrnoException) => resolve(error.code ?? 'error'));
    request.end();
  });
}

describe('the filtering proxy of setup with network', () => {
  let proxy: FilteringProxy;
  let port: number;
  let listener: Awaited<ReturnType<typeof startLoopbackListener>>;
  // A name on the allow-list whose DNS answer the test controls (DNS rebinding to loopback).
  const answers: Record<string, string[]> = {
    'rebind.registry.test': ['93.184.215.14', '127.0.0.1'],
    'private.registry.test': ['10.1.2.3'],
    'metadata.registry.test': ['169.254.169.254'],
    'mapped.registry.test': ['::ffff:127.0.0.1'],
  };

  beforeAll(async () => {
    listener = await startLoopbackListener();
    const allow = new AllowList(
      [
        ...Object.keys(answers),
        'localhost',
        '127.0.0.1',
        `127.0.0.1:${String(listener.port)}`,
        '10.0.0.1',
        '[::1]',
      ].flatMap(parseAllowEntry),
    );
    proxy = createFilteringProxy({
      allow,
      resolve: (host) =>
        host === 'localhost' ? Promise.resolve(['127.0.0.1', '::1']) : Promise.resolve(answers[host] ?? []),
    });
    await proxy.listen({ port: 0, host: '127.0.0.1' });
    port = proxy.port() ?? 0;
  });
  afterAll(async () => {
    await proxy.close();
    await listener.close();
  });

  it('refuses loopback, private and link-local targets even when the allow-list names them', async () => {
    const lp = String(listener.port);
    const cases: [string, string][] = [
      [`127.0.0.1:${lp}`, 'loopback address'],
      [`localhost:${lp}`, 'not a configured package registry'],
      ['localhost:443', 'resolves to 127.0.0.1, a loopback address'],
      ['10.0.0.1:443', 'private address'],
      ['[::1]:443', 'loopback address'],
      ['[::ffff:127.0.0.1]:443', 'loopback address'],
      ['rebind.registry.test:443', 'resolves to 127.0.0.1, a loopback address'],
      ['private.registry.test:443', 'resolves to 10.1.2.3, a private address'],
      ['metadata.registry.test:80', 'resolves to 169.254.169.254, a linkLocal address'],
      ['mapped.registry.test:443', 'loopback address'],
      ['unlisted.example.org:443', 'not a configured package registry'],
      ['rebind.registry.test:22', 'not a configured package registry'],
      ['no-port', 'expected host:port'],
    ];
    for (const [target, reason] of cases) {
      expect(await connectThrough(port, target), target).toBe('403');
      expect(proxy.refusals().at(-1), target).toContain(reason);
    }
    expect(listener.connections()).toBe(0);
  });

  it('refuses plain-http requests to loopback and private hosts, and anything that is not an absolute http URL', async () => {
    const lp = String(listener.port);
    for (const url of [
      `http://127.0.0.1:${lp}/api/v1/autodev/tasks`,
      `http://localhost/`,
      'http://private.registry.test/simple/',
      'http://169.254.169.254/latest/meta-data/',
      '/api/v1/autodev/tasks',
      'ftp://rebind.registry.test/',
    ]) {
      expect(await getThrough(port, url), url).toBe('403');
    }
    expect(listener.connections()).toBe(0);
  });

  it('reaches a loopback registry only at the IP literal and port the operator named (a mirror on this host)', async () => {
    const other = await startLoopbackListener();
    const named = `127.0.0.1:${String(listener.port)}`;
    const operatorProxy = createFilteringProxy({
      // localhost named too: a name is never trusted to resolve to loopback, only the literal is.
      allow: new AllowList(
        [named, `localhost:${String(listener.port)}`].flatMap(parseAllowEntry),
        [named].flatMap(parseAllowEntry),
      ),
      resolve: () => Promise.resolve(['127.0.0.1']),
    });
    await operatorProxy.listen({ port: 0, host: '127.0.0.1' });
    try {
      const proxyPort = operatorProxy.port() ?? 0;
      expect(await connectThrough(proxyPort, named)).toBe('200');
      expect(await connectThrough(proxyPort, `127.0.0.1:${String(other.port)}`)).toBe('403');
      expect(await connectThrough(proxyPort, `localhost:${String(listener.port)}`)).toBe('403');
      expect(operatorProxy.refusals().at(-1)).toContain('resolves to 127.0.0.1, a loopback address');
      expect(other.connections()).toBe(0);
    } finally {
      await operatorProxy.close();
      await other.close();
    }
  });

  it('holds at most maxConnections clients at once', async () => {
    const small = createFilteringProxy({ allow: new AllowList([]), maxConnections: 2 });
    await small.listen({ port: 0, host: '127.0.0.1' });
    const open: net.Socket[] = [];
    try {
      for (let i = 0; i < 2; i += 1) {
        const socket = net.connect(small.port() ?? 0, '127.0.0.1');
        await new Promise((resolve) => socket.once('connect', resolve));
        open.push(socket);
      }
      const third = net.connect(small.port() ?? 0, '127.0.0.1');
      open.push(third);
      // The server closes a connection past the limit as soon as it accepts it.
      await new Promise((resolve) => third.once('close', resolve));
      expect(open.slice(0, 2).every((socket) => !socket.destroyed)).toBe(true);
    } finally {
      for (const socket of open) socket.destroy();
      await small.close();
    }
  });

  it('closes a tunnel client that stays idle past the idle timeout', async () => {
    const quick = createFilteringProxy({ allow: new AllowList([]), idleTimeoutMs: 200 });
    await quick.listen({ port: 0, host: '127.0.0.1' });
    try {
      const socket = net.connect(quick.port() ?? 0, '127.0.0.1');
      socket.on('error', () => undefined);
      await new Promise((resolve) => socket.once('close', resolve));
      expect(socket.destroyed).toBe(true);
    } finally {
      await quick.close();
    }
  });
});
