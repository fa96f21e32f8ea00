import { execFile } from 'node:child_process';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { promisify } from 'node:util';
import { linkConsumer } from '../src/multirepo/link/index.js';
import { createGitRunner } from '../src/workspace/run-git.js';
import type { BenchRow } from './types.js';

const exec = promisify(execFile);
const FILES_PER_DIR = 100;
const RUNS = 5;

/** A checkout (work tree, one commit) of a Go module with `files` small source files besides go.mod. */
async function checkout(dir: string, goMod: string, files: number): Promise<void> {
  await mkdir(dir, { recursive: true });
  await writeFile(join(dir, 'go.mod'), goMod);
  for (let i = 0; i < files; i += 1) {
    const sub = join(dir, `pkg${Math.floor(i / FILES_PER_DIR)}`);
    if (i % FILES_PER_DIR === 0) await mkdir(sub);
    await writeFile(
      join(sub, `f${i}.go`),
      `package pkg${Math.floor(i / FILES_PER_DIR)}\n\nconst V${i} = ${i}\n`,
    );
  }
  const git = (args: string[]) =>
    exec('git', ['-c', 'user.name=Bench', '-c', 'user.email=bench@example.test', ...args], { cwd: dir });
  await git(['init', '-q', '-b', 'main']);
  await git(['add', '-A']);
  await git(['commit', '-q', '-m', 'bench']);
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1 ? (sorted[mid] ?? 0) : ((sorted[mid - 1] ?? 0) + (sorted[mid] ?? 0)) / 2;
}

async function timed(fn: () => Promise<unknown>): Promise<number> {
  const start = performance.now();
  await fn();
  return performance.now() - start;
}

/**
 * What linking adds before the consumer's own build: recording both checkouts' state, copying both
 * work trees and writing the wiring (Go's: a go.work), then the proof afterwards; against `cp -r`
 * of the same two trees, the least any copy costs.
 */
async function benchSize(root: string, files: number): Promise<BenchRow> {
  const library = join(root, `lib-${files}`);
  const consumer = join(root, `app-${files}`);
  await checkout(library, 'module example.test/lib\n\ngo 1.21\n', files);
  await checkout(consumer, 'module example.test/app\n\ngo 1.21\n\nrequire example.test/lib v1.0.0\n', files);
  const runGit = createGitRunner({ env: { PATH: process.env.PATH } });
  const link: number[] = [];
  const copy: number[] = [];
  for (let run = 0; run < RUNS; run += 1) {
    const scratch = join(root, `scratch-${files}-${run}`);
    link.push(
      await timed(async () => {
        const linked = await linkConsumer(runGit, {
          consumerCheckout: consumer,
          libraryCheckout: library,
          scratchDir: scratch,
        });
        await linked.verifyUntouched();
      }),
    );
    const plain = join(root, `cp-${files}-${run}`);
    await mkdir(plain);
    copy.push(
      await timed(async () => {
        await exec('cp', ['-r', consumer, join(plain, 'consumer')]);
        await exec('cp', ['-r', library, join(plain, 'library')]);
      }),
    );
    await rm(scratch, { recursive: true, force: true });
    await rm(plain, { recursive: true, force: true });
  }
  const value = median(link);
  const baselineValue = median(copy);
  return {
    name: `link a consumer, 2 checkouts of ${files.toLocaleString('en')} files`,
    baseline: 'cp -r of both trees',
    value: Math.round(value),
    baselineValue: Math.round(baselineValue),
    unit: 'ms',
    ratio: Math.round((value / baselineValue) * 100) / 100,
    runs: RUNS,
    notes: 'state before + copy + go.work + proof after',
  };
}

export async function bench(): Promise<BenchRow[]> {
  const root = await mkdtemp(join(tmpdir(), 'autodev-bench-link-'));
  try {
    return [await benchSize(root, 1_000), await benchSize(root, 10_000)];
  } finally {
    await rm(root, { recursive: true, force: true });
  }
}
