/**
 * Dependency update scan of a Cargo project with 500 dependencies (issue #22 item 8), against cargo's
 * own `cargo update --dry-run` on the same project and registry (cargo has no built-in "outdated";
 * the dry run resolves every dependency against the index and reports what would change): a sparse
 * registry served as static files on loopback, 500 crates at 1.0.0 (what Cargo.lock has) and 1.1.0.
 */
import { execFile } from 'node:child_process';
import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { promisify } from 'node:util';
import { startLocalCargoRegistry } from '../test/helpers/cargo-sparse-registry.js';
import { createCargoUpdater } from '../src/updates/cargo/index.js';
import { findUpdates } from '../src/updates/find.js';
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
  const registry = await startLocalCargoRegistry();
  const dir = await mkdtemp(join(tmpdir(), 'autodev-bench-cargo-updates-'));
  const env = {
    PATH: process.env.PATH ?? '/usr/bin:/bin',
    HOME: process.env.HOME ?? dir,
    CARGO_HOME: join(dir, 'cargo-home'),
    CARGO_TERM_COLOR: 'never',
    ...(process.env.RUSTUP_HOME ? { RUSTUP_HOME: process.env.RUSTUP_HOME } : {}),
  };
  try {
    const names = Array.from({ length: DEPENDENCIES }, (_, i) => `bench_dep_${String(i)}`);
    for (const name of names) await registry.index(name, '1.0.0');
    await mkdir(join(dir, 'src'));
    await mkdir(join(dir, '.cargo'));
    await writeFile(join(dir, 'src', 'lib.rs'), '');
    await writeFile(
      join(dir, 'Cargo.toml'),
      `[package]\nname = "bench-app"\nversion = "0.1.0"\nedition = "2021"\n\n[dependencies]\n${names.map((n) => `${n} = "1.0"`).join('\n')}\n`,
    );
    await writeFile(
      join(dir, '.cargo', 'config.toml'),
      `[source.crates-io]\nreplace-with = "mirror"\n[source.mirror]\nregistry = "${registry.indexUrl}"\n`,
    );
    await exec('cargo', ['generate-lockfile', '--quiet'], { cwd: dir, env });
    for (const name of names) await registry.index(name, '1.1.0');

    const access = createRegistryAccess({ hostEnv: env, extraAllow: [registry.hostPort] });
    const updater = createCargoUpdater(access);
    const files = { read: (file: string) => readFile(join(dir, file), 'utf8').catch(() => undefined) };
    const settings = resolveUpdateSettings({ minimum_release_age: 0 }, undefined);
    const ours: number[] = [];
    const cargo: number[] = [];
    let found = 0;
    let updating = 0;
    for (let run = 0; run < RUNS; run += 1) {
      // Alternated, so both see the same machine load.
      let start = performance.now();
      const result = await findUpdates(updater, files, settings, new Date());
      ours.push(performance.now() - start);
      found = result.candidates.length;
      start = performance.now();
      const out = await exec('cargo', ['update', '--dry-run'], {
        cwd: dir,
        env,
        maxBuffer: 64 * 1024 * 1024,
      });
      cargo.push(performance.now() - start);
      updating = (out.stderr.match(/^\s*Updating bench_dep_/gm) ?? []).length;
    }
    const value = median(ours);
    const baselineValue = median(cargo);
    return [
      {
        name: `dependency update scan, cargo, ${String(DEPENDENCIES)} dependencies (${String(found)} updates found)`,
        baseline: `cargo update --dry-run on the same project and registry (${String(updating)} would update)`,
        value: Math.round(value),
        baselineValue: Math.round(baselineValue),
        unit: 'ms',
        ratio: Number((value / baselineValue).toFixed(2)),
        runs: RUNS,
        notes:
          'sparse index as static files on loopback; lookups once per crate per scan, at most 8 at a time',
      },
    ];
  } finally {
    await registry.close();
    await rm(dir, { recursive: true, force: true });
  }
}
