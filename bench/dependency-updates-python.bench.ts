/**
 * Dependency update scan of a Python project with 500 pinned requirements (issue #22 item 8), against
 * pip's own `pip list --outdated` on the same requirements and index: a real pypiserver on loopback,
 * 500 packages at 1.0.0 (what requirements.txt pins) and 1.1.0. pip's "outdated" reads what is
 * installed, not the requirements, so the 500 pins are installed into a virtualenv first (not timed);
 * both then ask the index's simple API once per package.
 */
import { execFile } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { startLocalPythonIndex } from '../test/helpers/pypiserver.js';
import { createPythonUpdater } from '../src/updates/python/index.js';
import { createRegistryAccess } from '../src/updates/registry-access.js';
import type { BenchRow } from './types.js';
import { compareUpdateScan } from './lib/update-scan-compare.js';

const exec = promisify(execFile);
const DEPENDENCIES = 500;
const RUNS = 3;
const PUBLISH_CONCURRENCY = 8;

async function inBatches<T>(items: readonly T[], fn: (item: T) => Promise<void>): Promise<void> {
  for (let i = 0; i < items.length; i += PUBLISH_CONCURRENCY) {
    await Promise.all(items.slice(i, i + PUBLISH_CONCURRENCY).map(fn));
  }
}

export async function bench(): Promise<BenchRow[]> {
  const index = await startLocalPythonIndex();
  const dir = await mkdtemp(join(tmpdir(), 'autodev-bench-python-updates-'));
  const env = { PATH: process.env.PATH ?? '/usr/bin:/bin', HOME: dir, PIP_DISABLE_PIP_VERSION_CHECK: '1' };
  const pip = join(dir, 'venv', 'bin', 'pip');
  try {
    const names = Array.from({ length: DEPENDENCIES }, (_, i) => `bench-dep-${String(i)}`);
    await inBatches(names, (name) => index.publish(name, '1.0.0', 'VALUE = 1\n'));
    await writeFile(
      join(dir, 'requirements.txt'),
      `--index-url ${index.url}\n${names.map((n) => `${n}==1.0.0`).join('\n')}\n`,
    );
    await exec('python3', ['-m', 'venv', join(dir, 'venv')], { env });
    await exec(pip, ['install', '--quiet', '--no-deps', '-r', 'requirements.txt'], {
      cwd: dir,
      env,
      maxBuffer: 64 * 1024 * 1024,
    });
    await inBatches(names, (name) => index.publish(name, '1.1.0', 'VALUE = 2\n'));

    const access = createRegistryAccess({ hostEnv: env, extraAllow: [index.hostPort] });
    const updater = createPythonUpdater(access);
    return [
      await compareUpdateScan({
        ecosystem: 'python',
        updater,
        dir,
        dependencies: DEPENDENCIES,
        runs: RUNS,
        client: async () => {
          const out = await exec(pip, ['list', '--outdated', '--format', 'json', '--index-url', index.url], {
            cwd: dir,
            env,
            maxBuffer: 64 * 1024 * 1024,
          });
          return (JSON.parse(out.stdout) as { name: string }[]).filter((p) => p.name.startsWith('bench'))
            .length;
        },
        baseline: (n) =>
          `pip list --outdated on a virtualenv with the same pins, same index (${String(n)} outdated)`,
        notes: 'pypiserver on loopback; lookups once per package per scan, at most 8 at a time',
      }),
    ];
  } finally {
    await index.close();
    await rm(dir, { recursive: true, force: true });
  }
}
