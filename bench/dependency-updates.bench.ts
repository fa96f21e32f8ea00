/**
 * Dependency update scan of a repository with 500 npm dependencies (issue #22 item 8), against
 * `npm outdated --json` on the same repository and the same registry: a real Verdaccio 6.8 on
 * loopback holding 500 packages at 1.0.0 (what the lockfile has) and 1.1.0. autodev's scan looks each
 * package up once, at most 8 at a time, and classifies every candidate; npm outdated does the same
 * lookups with its own agent.
 */
import { execFile } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { startLocalNpmRegistry } from '../test/helpers/verdaccio.js';
import { createNpmUpdater } from '../src/updates/npm/index.js';
import { createRegistryAccess } from '../src/updates/registry-access.js';
import type { BenchRow } from './types.js';
import { compareUpdateScan } from './lib/update-scan-compare.js';

const exec = promisify(execFile);
const DEPENDENCIES = 500;
const RUNS = 3;

async function inBatches<T>(items: T[], size: number, fn: (item: T) => Promise<void>): Promise<void> {
  for (let i = 0; i < items.length; i += size) await Promise.all(items.slice(i, i + size).map(fn));
}

export async function bench(): Promise<BenchRow[]> {
  const registry = await startLocalNpmRegistry();
  const dir = await mkdtemp(join(tmpdir(), 'autodev-bench-updates-'));
  const env = { PATH: process.env.PATH ?? '/usr/bin:/bin', HOME: dir };
  try {
    const names = Array.from({ length: DEPENDENCIES }, (_, i) => `bench-dep-${String(i)}`);
    await inBatches(names, 8, (name) =>
      registry.publish(name, '1.0.0', { 'index.js': 'module.exports = 1;\n' }),
    );
    const manifest = {
      name: 'bench-app',
      version: '1.0.0',
      private: true,
      dependencies: Object.fromEntries(names.map((n) => [n, '^1.0.0'])),
    };
    await writeFile(join(dir, 'package.json'), `${JSON.stringify(manifest, null, 2)}\n`);
    await writeFile(join(dir, '.npmrc'), `registry=${registry.url}\n`);
    await exec('npm', ['install', '--package-lock-only', '--ignore-scripts', '--no-audit', '--no-fund'], {
      cwd: dir,
      env,
      maxBuffer: 64 * 1024 * 1024,
    });
    await inBatches(names, 8, (name) =>
      registry.publish(name, '1.1.0', { 'index.js': 'module.exports = 2;\n' }),
    );

    const access = createRegistryAccess({ hostEnv: env, extraAllow: [registry.hostPort] });
    const updater = createNpmUpdater(access);
    return [
      await compareUpdateScan({
        ecosystem: 'npm',
        updater,
        dir,
        dependencies: DEPENDENCIES,
        runs: RUNS,
        client: async () => {
          const out = await exec('npm', ['outdated', '--json'], {
            cwd: dir,
            env,
            maxBuffer: 64 * 1024 * 1024,
          }).catch(
            // npm outdated exits 1 when something is outdated: its answer is still on stdout.
            (error: { stdout?: string }) => ({ stdout: error.stdout ?? '{}' }),
          );
          return Object.keys(JSON.parse(out.stdout || '{}') as object).length;
        },
        baseline: (n) => `npm outdated --json on the same repository and registry (${String(n)} outdated)`,
        notes: 'Verdaccio 6.8 on loopback; lookups once per package per scan, at most 8 at a time',
      }),
    ];
  } finally {
    await registry.close();
    await rm(dir, { recursive: true, force: true });
  }
}
