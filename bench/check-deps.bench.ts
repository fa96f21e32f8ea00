/**
 * check_deps throughput on a large dependency diff: a synthetic ~5 MB package-lock.json (v3) whose
 * head changes every tenth version, adds and removes 2% of the packages, and adds dependencies to
 * package.json. Compared with the least any check must do on the same bytes: read both sides from
 * git (`git cat-file blob`) and JSON.parse them.
 */
import { execFile } from 'node:child_process';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { promisify } from 'node:util';
import { loadConfig } from '../src/config/load.js';
import { createRuntime } from '../src/runtime/create-runtime.js';
import type { CheckDepsOutput } from '../src/tools/check-deps.js';
import type { ToolContext } from '../src/tools/types.js';
import { git } from '../test/fixtures/repo.js';
import type { BenchRow } from './types.js';

const exec = promisify(execFile);
const PACKAGES = 20_000;
const RUNS = 7;

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1 ? (sorted[mid] ?? 0) : ((sorted[mid - 1] ?? 0) + (sorted[mid] ?? 0)) / 2;
}

/** package.json and package-lock.json of PACKAGES packages; `head` is the changed side. */
function project(head: boolean): { manifest: string; lock: string } {
  const direct: Record<string, string> = {};
  const packages: Record<string, unknown> = {};
  for (let i = 0; i < PACKAGES; i += 1) {
    if (head && i % 50 === 0) continue; // removed
    const name = i % 7 === 0 ? `@scope-${i % 13}/pkg-${i}` : `pkg-${i}`;
    const version = head && i % 10 === 0 ? `2.${i}.1` : `1.${i}.0`;
    if (i % 100 === 1) direct[name] = `^${version}`;
    packages[`node_modules/${name}`] = {
      version,
      resolved: `https://npm.mirror.example/${name}/-/${name}-${version}.tgz`,
      integrity: `sha512-${Buffer.from(`${name}@${version}`).toString('base64').padEnd(86, 'A')}==`,
      ...(i % 3 === 0 ? { dev: true } : {}),
      ...(i % 5 === 0 ? { dependencies: { [`pkg-${i + 1}`]: `^1.${i + 1}.0` } } : {}),
    };
  }
  if (head) {
    for (let i = 0; i < PACKAGES / 50; i += 1) {
      packages[`node_modules/new-pkg-${i}`] = { version: '1.0.0', integrity: 'sha512-new' };
      if (i % 10 === 0) direct[`new-pkg-${i}`] = '^1.0.0';
    }
  }
  const root = { name: 'bench', version: '1.0.0', dependencies: direct };
  const lock = {
    name: 'bench',
    version: '1.0.0',
    lockfileVersion: 3,
    requires: true,
    packages: { '': root, ...packages },
  };
  return { manifest: JSON.stringify(root, null, 2), lock: JSON.stringify(lock, null, 2) };
}

export async function bench(): Promise<BenchRow[]> {
  const root = await mkdtemp(join(tmpdir(), 'autodev-bench-deps-'));
  const repo = join(root, 'repo');
  const hostEnv = {
    PATH: process.env.PATH ?? '/usr/bin:/bin',
    HOME: process.env.HOME ?? '/tmp',
    LANG: 'C.UTF-8',
  };
  const runtime = await createRuntime(
    loadConfig({
      env: { ...hostEnv, AUTODEV_DATA_DIR: join(root, 'data'), AUTODEV_ALLOWED_REPOS: '**' },
      cwd: root,
    }),
    { hostEnv, logDestination: { write: () => undefined } },
  );
  try {
    await mkdir(repo);
    await git(root, ['init', '-q', repo]);
    const commit = async (side: { manifest: string; lock: string }) => {
      await writeFile(join(repo, 'package.json'), side.manifest);
      await writeFile(join(repo, 'package-lock.json'), side.lock);
      await git(repo, ['add', 'package.json', 'package-lock.json']);
      await git(repo, ['commit', '-q', '-m', 'lock']);
      return (await git(repo, ['rev-parse', 'HEAD'])).trim();
    };
    const before = project(false);
    const after = project(true);
    const base = await commit(before);
    await commit(after);
    const bytes =
      Buffer.byteLength(before.lock) +
      Buffer.byteLength(after.lock) +
      before.manifest.length +
      after.manifest.length;

    const ctx: ToolContext = {
      workspaceDir: repo,
      signal: new AbortController().signal,
      log: runtime.log,
      services: runtime.services,
      onOutput: () => undefined,
      onModelCall: () => undefined,
    };
    const tool = runtime.tools.get('check_deps');
    let changes = 0;
    const checkDeps: number[] = [];
    const readParse: number[] = [];
    for (let i = 0; i < RUNS; i += 1) {
      // Alternated, so both see the same page cache and machine load.
      let start = performance.now();
      const { output } = await tool.run({ base_commit: base }, ctx);
      checkDeps.push(performance.now() - start);
      changes = (output as CheckDepsOutput).changes.length;
      start = performance.now();
      for (const rev of [base, 'HEAD']) {
        for (const file of ['package.json', 'package-lock.json']) {
          const { stdout } = await exec('git', ['cat-file', 'blob', `${rev}:${file}`], {
            cwd: repo,
            maxBuffer: 64 * 1024 * 1024,
          });
          JSON.parse(stdout);
        }
      }
      readParse.push(performance.now() - start);
    }
    const mb = bytes / 1e6;
    const value = mb / (median(checkDeps) / 1000);
    const baselineValue = mb / (median(readParse) / 1000);
    return [
      {
        name: `check_deps, package-lock.json v3 ${(Buffer.byteLength(after.lock) / 1e6).toFixed(1)} MB a side, ${changes} changes`,
        baseline: 'git cat-file blob + JSON.parse of the same files',
        value: Number(value.toFixed(1)),
        baselineValue: Number(baselineValue.toFixed(1)),
        unit: 'MB/s',
        ratio: Number((value / baselineValue).toFixed(2)),
        runs: RUNS,
        notes: `${mb.toFixed(1)} MB read (both sides); median ${median(checkDeps).toFixed(0)} ms vs ${median(readParse).toFixed(0)} ms`,
      },
    ];
  } finally {
    await runtime.close(5_000);
    await rm(root, { recursive: true, force: true });
  }
}
