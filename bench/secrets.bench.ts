import { execFile } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { promisify } from 'node:util';
import { createGitleaksScanner } from '../src/secrets/gitleaks.js';
import { createRedactor } from '../src/secrets/redact.js';
import { projectToolPath } from '../src/secrets/tool-path.js';
import { createGitRunner } from '../src/workspace/run-git.js';
import type { BenchRow } from './types.js';

const exec = promisify(execFile);
const ENV = { PATH: process.env.PATH ?? '/usr/bin:/bin', HOME: tmpdir(), LANG: 'C.UTF-8' };

/** Generated TypeScript that looks like code (identifiers, strings, numbers), never a secret. */
function sourceFile(index: number, bytes: number): string {
  const lines: string[] = [];
  let size = 0;
  for (let i = 0; size < bytes; i += 1) {
    const line = `export function handler${index}_${i}(input: string, count = ${i * 7}): string { return input.repeat(count) + "value-${(index * 31 + i) % 997}"; }\n`;
    lines.push(line);
    size += line.length;
  }
  return lines.join('');
}

/** A repo whose second commit adds `megabytes` MB of code in 200 files, written by fast-import. */
async function makeRepo(root: string, megabytes: number): Promise<{ dir: string; base: string }> {
  const git = createGitRunner({ env: ENV });
  const dir = join(root, 'repo');
  await git(['init', '--quiet', dir]);
  const files = 200;
  const perFile = Math.ceil((megabytes * 1_000_000) / files);
  // Two commits on one branch in one stream: the second's parent is the first (fast-import's default).
  const commit = (message: string, entries: [string, string][]) => [
    'commit refs/heads/main\n',
    'committer Bench <bench@example.test> 1704067200 +0000\n',
    `data ${Buffer.byteLength(message)}\n${message}`,
    ...entries.map(
      ([path, content]) => `M 100644 inline ${path}\ndata ${Buffer.byteLength(content)}\n${content}`,
    ),
    '\n',
  ];
  const parts = [
    ...commit('base\n', [['README.md', '# bench\n']]),
    ...commit(
      'large change\n',
      Array.from(
        { length: files },
        (_, i) => [`src/gen/f${i}.ts`, sourceFile(i, perFile)] as [string, string],
      ),
    ),
  ];
  await git(['fast-import', '--quiet'], { cwd: dir, input: parts.join('') });
  await git(['reset', '--hard', '--quiet', 'main'], { cwd: dir });
  const base = (await git(['rev-parse', 'main~1'], { cwd: dir })).stdout.trim();
  return { dir, base };
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1 ? (sorted[mid] ?? 0) : ((sorted[mid - 1] ?? 0) + (sorted[mid] ?? 0)) / 2;
}

async function timed(fn: () => Promise<unknown> | unknown): Promise<number> {
  const start = performance.now();
  await fn();
  return (performance.now() - start) / 1000;
}

/**
 * secrets_scan (gitleaks with autodev's rules over base..HEAD) and the redactor on a large change,
 * in MB/s of the change's `git log -p` text, against `git log -p` itself reading the same commit.
 */
export async function bench(options: { megabytes?: number; runs?: number } = {}): Promise<BenchRow[]> {
  const megabytes = options.megabytes ?? 20;
  const runs = options.runs ?? 3;
  const root = await mkdtemp(join(tmpdir(), 'autodev-bench-secrets-'));
  try {
    const { dir, base } = await makeRepo(root, megabytes);
    const logArgs = ['log', '-p', '--no-color', '--no-ext-diff', `${base}..HEAD`];
    const patch = (await exec('git', ['-C', dir, ...logArgs], { env: ENV, maxBuffer: 1 << 30 })).stdout;
    const mb = Buffer.byteLength(patch) / 1_000_000;
    const scanner = createGitleaksScanner({ binary: projectToolPath('gitleaks'), env: ENV });
    const redact = createRedactor(['configured-secret-value']);
    const scan: number[] = [];
    const redactor: number[] = [];
    const gitLog: number[] = [];
    for (let i = 0; i < runs; i += 1) {
      gitLog.push(await timed(() => exec('git', ['-C', dir, ...logArgs], { env: ENV, maxBuffer: 1 << 30 })));
      scan.push(await timed(() => scanner.scanCommits(dir, base)));
      redactor.push(await timed(() => redact(patch)));
    }
    const baseline = mb / median(gitLog);
    const row = (name: string, seconds: number[], notes: string): BenchRow => {
      const value = mb / median(seconds);
      return {
        name,
        baseline: 'git log -p (bytes read)',
        value,
        baselineValue: baseline,
        unit: 'MB/s',
        ratio: value / baseline,
        runs,
        notes,
      };
    };
    return [
      row(`secrets_scan, ${mb.toFixed(1)} MB change in one commit`, scan, 'gitleaks with autodev rules'),
      row(
        `redactor, same ${mb.toFixed(1)} MB patch text`,
        redactor,
        'patterns + private keys + 1 configured value',
      ),
    ];
  } finally {
    await rm(root, { recursive: true, force: true });
  }
}
