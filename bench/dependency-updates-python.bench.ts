/**
 * Dependency update scan of a Python project with 500 pinned requirements (issue #22 item 8), against
 * pip's own `pip list --outdated` on the same requirements and index: a real pypiserver on loopback,
 * 500 packages at 1.0.0 (what requirements.txt pins) and 1.1.0. pip's "outdated" reads what is
 * installed, not the requirements, so the 500 pins are installed into a virtualenv first (not timed);
 * both then ask the index's simple API once per package.
 */
import { execFile } from 'node:child_process';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { promisify } from 'node:util';
import { startLocalPythonIndex } from '../test/helpers/pypiserver.js';
import { findUpdates } from '../src/updates/find.js';
import { createPythonUpdater } from '../src/updates/python/index.js';
import { createRegistryAccess } from '../src/updates/registry-access.js';
import { resolveUpdateSettings } from '../src/updates/settings.js';
import type { BenchRow } from './types.js';

const exec = promisify(execFile);
const DEPENDENCIES = 500;
const RUNS = 3;
const PUBLISH_CONCURRENCY = 8;

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)] ?? 0;
}

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
    const files = { read: (file: string) => readFile(join(dir, file), 'utf8').catch(() => undefined) };
    const settings = resolveUpdateSettings({ minimum_release_age: 0 }, undefined);
    const ours: number[] = [];
    const pips: number[] = [];
    let found = 0;
    let outdated = 0;
    for (let run = 0; run < RUNS; run += 1) {
      // Alternated, so both see the same machine load.
      let start = performance.now();
      const result = await findUpdates(updater, files, settings, new Date());
      ours.push(performance.now() - start);
      found = result.candidates.length;
      start = performance.now();
      const out = await exec(pip, ['list', '--outdated', '--format', 'json', '--index-url', index.url], {
        cwd: dir,
        env,
        maxBuffer: 64 * 1024 * 1024,
      });
      pips.push(performance.now() - start);
      outdated = (JSON.parse(out.stdout) as { name: string }[]).filter((p) =>
        p.name.startsWith('bench'),
      ).length;
    }
    const value = median(ours);
    const baselineValue = median(pips);
    return [
      {
        name: `dependency update scan, python, ${String(DEPENDENCIES)} dependencies (${String(found)} updates found)`,
        baseline: `pip list --outdated on a virtualenv with the same pins, same index (${String(outdated)} outdated)`,
        value: Math.round(value),
        baselineValue: Math.round(baselineValue),
        unit: 'ms',
        ratio: Number((value / baselineValue).toFixed(2)),
        runs: RUNS,
        notes: 'pypiserver on loopback; lookups once per package per scan, at most 8 at a time',
      },
    ];
  } finally {
    await index.close();
    await rm(dir, { recursive: true, force: true });
  }
}
