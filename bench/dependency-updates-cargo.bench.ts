/**
 * Dependency update scan of a Cargo project with 500 dependencies (issue #22 item 8), against cargo's
 * own `cargo update --dry-run` on the same project and registry (cargo has no built-in "outdated";
 * the dry run resolves every dependency against the index and reports what would change): a sparse
 * registry served as static files on loopback, 500 crates at 1.0.0 (what Cargo.lock has) and 1.1.0.
 */
import { execFile } from 'node:child_process';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { startLocalCargoRegistry } from '../test/helpers/cargo-sparse-registry.js';
import { createCargoUpdater } from '../src/updates/cargo/index.js';
import { createRegistryAccess } from '../src/updates/registry-access.js';
import type { BenchRow } from './types.js';
import { compareUpdateScan } from './lib/update-scan-compare.js';

const exec = promisify(execFile);
const DEPENDENCIES = 500;
const RUNS = 3;

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
    return [
      await compareUpdateScan({
        ecosystem: 'cargo',
        updater,
        dir,
        dependencies: DEPENDENCIES,
        runs: RUNS,
        client: async () => {
          const out = await exec('cargo', ['update', '--dry-run'], {
            cwd: dir,
            env,
            maxBuffer: 64 * 1024 * 1024,
          });
          return (out.stderr.match(/^\s*Updating bench_dep_/gm) ?? []).length;
        },
        baseline: (n) =>
          `cargo update --dry-run on the same project and registry (${String(n)} would update)`,
        notes:
          'sparse index as static files on loopback; lookups once per crate per scan, at most 8 at a time',
      }),
    ];
  } finally {
    await registry.close();
    await rm(dir, { recursive: true, force: true });
  }
}
