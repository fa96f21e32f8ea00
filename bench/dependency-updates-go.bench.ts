/**
 * Dependency update scan of a Go module with 500 requirements (issue #22 item 8), against go's own
 * `go list -m -u all` on the same module and proxy: a GOPROXY served as static files on loopback,
 * 500 modules at v1.0.0 (what go.mod requires) and v1.1.0. The module cache is filled before timing
 * (go reads the requirements' go.mod files from it); both sides then ask the proxy for each list.
 */
import { execFile } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { startLocalGoProxy } from '../test/helpers/go-module-proxy.js';
import { createGoUpdater } from '../src/updates/go/index.js';
import { createRegistryAccess } from '../src/updates/registry-access.js';
import type { BenchRow } from './types.js';
import { compareUpdateScan } from './lib/update-scan-compare.js';

const exec = promisify(execFile);
const DEPENDENCIES = 500;
const RUNS = 3;

export async function bench(): Promise<BenchRow[]> {
  const proxy = await startLocalGoProxy();
  const dir = await mkdtemp(join(tmpdir(), 'autodev-bench-go-updates-'));
  const env = {
    PATH: process.env.PATH ?? '/usr/bin:/bin',
    HOME: dir,
    GOPATH: join(dir, 'gopath'),
    GOMODCACHE: join(dir, 'modcache'),
    GOCACHE: join(dir, 'gocache'),
    // The host's go resolves no `127.1` (the helper's name for the sandbox's sake): the address itself.
    GOPROXY: proxy.url.replace('//127.1:', '//127.0.0.1:'),
    GOSUMDB: 'off',
    GOFLAGS: '-mod=mod',
    GOTOOLCHAIN: 'local',
  };
  try {
    const modules = Array.from({ length: DEPENDENCIES }, (_, i) => `bench.example/dep${String(i)}`);
    const old = new Date(Date.now() - 30 * 86_400_000);
    for (const mod of modules) await proxy.publish(mod, 'v1.0.0', { 'lib.go': 'package lib\n' }, old);
    await writeFile(
      join(dir, 'go.mod'),
      `module bench.example/app\n\ngo 1.21\n\nrequire (\n${modules.map((m) => `\t${m} v1.0.0`).join('\n')}\n)\n`,
    );
    await exec('go', ['mod', 'download', 'all'], { cwd: dir, env, maxBuffer: 64 * 1024 * 1024 });
    for (const mod of modules) await proxy.publish(mod, 'v1.1.0', { 'lib.go': 'package lib\n' }, old);

    const access = createRegistryAccess({ hostEnv: env, extraAllow: [proxy.hostPort] });
    const updater = createGoUpdater(access);
    return [
      await compareUpdateScan({
        ecosystem: 'go',
        updater,
        dir,
        dependencies: DEPENDENCIES,
        runs: RUNS,
        client: async () => {
          const out = await exec('go', ['list', '-m', '-u', 'all'], {
            cwd: dir,
            env,
            maxBuffer: 64 * 1024 * 1024,
          });
          return (out.stdout.match(/ \[v1\.1\.0\]$/gm) ?? []).length;
        },
        baseline: (n) => `go list -m -u all on the same module and proxy (${String(n)} outdated)`,
        notes: 'GOPROXY as static files on loopback; lookups once per module per scan, at most 8 at a time',
      }),
    ];
  } finally {
    await proxy.close();
    await rm(dir, { recursive: true, force: true });
  }
}
