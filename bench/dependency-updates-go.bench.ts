/**
 * Dependency update scan of a Go module with 500 requirements (issue #22 item 8), against go's own
 * `go list -m -u all` on the same module and proxy: a GOPROXY served as static files on loopback,
 * 500 modules at v1.0.0 (what go.mod requires) and v1.1.0. The module cache is filled before timing
 * (go reads the requirements' go.mod files from it); both sides then ask the proxy for each list.
 */
import { execFile } from 'node:child_process';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { promisify } from 'node:util';
import { startLocalGoProxy } from '../test/helpers/go-module-proxy.js';
import { findUpdates } from '../src/updates/find.js';
import { createGoUpdater } from '../src/updates/go/index.js';
import { createRegistryAccess } from '../src/updates/registry-access.js';
import { resolveUpdateSettings } from '../src/updates/settings.js';
import type { BenchRow } from './types.js';

const exec = promisify(execFile);
const DEPENDENCIES = 500;
const RUNS = 3;

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)] ?? 0;
}

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
    const files = { read: (file: string) => readFile(join(dir, file), 'utf8').catch(() => undefined) };
    const settings = resolveUpdateSettings({ minimum_release_age: 0 }, undefined);
    const ours: number[] = [];
    const go: number[] = [];
    let found = 0;
    let outdated = 0;
    for (let run = 0; run < RUNS; run += 1) {
      // Alternated, so both see the same machine load.
      let start = performance.now();
      const result = await findUpdates(updater, files, settings, new Date());
      ours.push(performance.now() - start);
      found = result.candidates.length;
      start = performance.now();
      const out = await exec('go', ['list', '-m', '-u', 'all'], {
        cwd: dir,
        env,
        maxBuffer: 64 * 1024 * 1024,
      });
      go.push(performance.now() - start);
      outdated = (out.stdout.match(/ \[v1\.1\.0\]$/gm) ?? []).length;
    }
    const value = median(ours);
    const baselineValue = median(go);
    return [
      {
        name: `dependency update scan, go, ${String(DEPENDENCIES)} dependencies (${String(found)} updates found)`,
        baseline: `go list -m -u all on the same module and proxy (${String(outdated)} outdated)`,
        value: Math.round(value),
        baselineValue: Math.round(baselineValue),
        unit: 'ms',
        ratio: Number((value / baselineValue).toFixed(2)),
        runs: RUNS,
        notes: 'GOPROXY as static files on loopback; lookups once per module per scan, at most 8 at a time',
      },
    ];
  } finally {
    await proxy.close();
    await rm(dir, { recursive: true, force: true });
  }
}
