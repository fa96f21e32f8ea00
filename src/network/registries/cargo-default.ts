import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { spawnCapped } from '../../sandbox/spawn-capped.js';
import { targetFromUrl, type AllowedTarget } from '../allow-list.js';
import { registryClientEnv } from './client-env.js';
import type { RegistryProbe } from './types.js';

const CARGO_TIMEOUT_MS = 30_000;
const INDEX_CONFIG_TIMEOUT_MS = 10_000;
const INDEX_CONFIG_MAX_BYTES = 64 * 1024;

/** A listener that records the `CONNECT host:port` cargo asks its proxy for, and refuses it. */
async function startCapture(): Promise<{ port: number; targets: string[]; close: () => Promise<void> }> {
  const targets: string[] = [];
  const server = net.createServer((socket) => {
    socket.on('error', () => socket.destroy());
    let head = '';
    socket.on('data', (chunk: Buffer) => {
      head += chunk.toString('latin1');
      const line = /^CONNECT (\S+) HTTP\/1\.[01]\r?\n/.exec(head);
      if (line?.[1] !== undefined) targets.push(line[1]);
      if (line !== null || head.length > 8192 || head.includes('\n')) {
        socket.end('HTTP/1.1 403 Forbidden\r\nConnection: close\r\n\r\n');
      }
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  return {
    port: typeof address === 'object' && address !== null ? address.port : 0,
    targets,
    close: () => new Promise((resolve) => server.close(() => resolve())),
  };
}

/** `dl` and `api` of a sparse index's own config.json: where the crates are downloaded from. */
async function indexConfigTargets(indexHost: string): Promise<AllowedTarget[]> {
  try {
    const response = await fetch(`https://${indexHost}/config.json`, {
      signal: AbortSignal.timeout(INDEX_CONFIG_TIMEOUT_MS),
      redirect: 'error',
    });
    const text = await response.text();
    if (!response.ok || text.length > INDEX_CONFIG_MAX_BYTES) return [];
    const config = JSON.parse(text) as { dl?: unknown; api?: unknown };
    return [config.dl, config.api]
      .filter((url): url is string => typeof url === 'string')
      .map(targetFromUrl)
      .filter((target): target is AllowedTarget => target !== undefined);
  } catch {
    return [];
  }
}

/**
 * cargo's default registry (its built-in one, unless replaced) has no stable command that prints it, so
 * cargo itself is asked: a throwaway crate with one dependency resolves with a fresh CARGO_HOME and
 * a recording proxy, which learns the index host cargo connects to. The index's own config.json
 * then names the download host. Nothing here is a hard-coded address.
 */
export const cargoDefaultRegistry: RegistryProbe = {
  client: 'cargo (default registry)',
  async targets({ hostEnv }) {
    const dir = await mkdtemp(path.join(os.tmpdir(), 'autodev-cargo-probe-'));
    const capture = await startCapture();
    try {
      await mkdir(path.join(dir, 'src'));
      await writeFile(path.join(dir, 'src', 'lib.rs'), '');
      await writeFile(
        path.join(dir, 'Cargo.toml'),
        '[package]\nname = "autodev-registry-probe"\nversion = "0.0.0"\nedition = "2021"\n\n[dependencies]\nautodev-registry-probe-dependency = "1"\n',
      );
      const home = hostEnv.HOME ?? os.homedir();
      const env = {
        ...registryClientEnv(hostEnv),
        RUSTUP_HOME: hostEnv.RUSTUP_HOME ?? path.join(home, '.rustup'),
        CARGO_HOME: path.join(dir, 'cargo-home'),
        CARGO_HTTP_PROXY: `http://127.0.0.1:${String(capture.port)}`,
        CARGO_NET_RETRY: '0',
        CARGO_NET_OFFLINE: 'false',
      };
      // Its answer is the CONNECT it asked for, not its exit status: the resolve itself always fails.
      await spawnCapped({
        argv: ['cargo', 'generate-lockfile'],
        cwd: dir,
        env,
        timeoutMs: CARGO_TIMEOUT_MS,
        maxOutputBytes: 64 * 1024,
      }).catch(() => undefined);
      const indexTargets = [...new Set(capture.targets)]
        .map((target) => targetFromUrl(`https://${target}/`))
        .filter((target): target is AllowedTarget => target !== undefined);
      const downloads = await Promise.all(indexTargets.map((target) => indexConfigTargets(target.host)));
      const all = [...indexTargets, ...downloads.flat()];
      return all.filter((t, i) => all.findIndex((o) => o.host === t.host && o.port === t.port) === i);
    } finally {
      await capture.close();
      await rm(dir, { recursive: true, force: true });
    }
  },
};
