import { describe, expect, it } from 'vitest';
import { useStoreBackend } from '../../test/helpers/store-backends.js';
import { isAutodevError } from '../errors.js';
import { createRedactor } from '../secrets/redact.js';
import { openStore } from './index.js';

const PASSWORD = 'pw-planted-9c2e51f0aa';

describe('postgres store: the database going away', () => {
  const backend = useStoreBackend('postgres');

  it('waits through a PostgreSQL restart: every call made during it completes once, none lost', async () => {
    const where = await backend.newLocation();
    const store = await backend.open(where, createRedactor([]));
    const task = await store.tasks.create({
      title: 't',
      description: 'd',
      repo: '/r',
      repo_normalized: '/r',
      base_branch: 'main',
      risk_tier: 'low',
      constraints: [],
      acceptance: [],
    });
    const cluster = await backend.cluster();
    // Appends in flight before, during and after the restart.
    const appends: Promise<unknown>[] = [];
    let stop = false;
    const writer = (async () => {
      for (let i = 0; !stop; i += 1) {
        appends.push(store.events.append(task.id, 'task.created', { i }));
        await new Promise((r) => setTimeout(r, 5));
      }
    })();
    await new Promise((r) => setTimeout(r, 100));
    await cluster.restart();
    await new Promise((r) => setTimeout(r, 100));
    stop = true;
    await writer;
    await Promise.all(appends);
    const events = await store.events.list(task.id);
    expect(events.length).toBe(appends.length);
    expect(new Set(events.map((e) => (e.data as { i: number }).i)).size).toBe(appends.length);
    expect((await store.tasks.get(task.id))?.status).toBe('queued');
  });

  it('refuses to start when PostgreSQL is unreachable, naming its address and never its password', async () => {
    const cluster = await backend.cluster();
    const url = (await cluster.createDatabase()).replace(cluster.password, PASSWORD);
    const dead = url.replace(`:${cluster.port}/`, ':1/');
    for (const [target, address] of [
      [dead, '127.0.0.1:1'],
      // Reachable, but the password is wrong: the server's refusal, the password still not shown.
      [url, `127.0.0.1:${cluster.port}`],
    ] as const) {
      const error = await openStore({
        dataDir: '/nonexistent',
        store: { url: target, pool_size: 2, reconnect_secs: 60, connect_timeout_secs: 5 },
        redact: createRedactor([PASSWORD]),
      }).then(
        () => undefined,
        (e: unknown) => e,
      );
      expect(isAutodevError(error, 'STORE_UNAVAILABLE')).toBe(true);
      const message = (error as Error).message;
      expect(message).toContain(address);
      expect(message).not.toContain(PASSWORD);
    }
  });
});
