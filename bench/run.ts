/**
 * `npm run bench [filter]`: runs every bench/<name>.bench.ts (or those whose name contains
 * the filter), prints one aligned table and writes bench/results/<timestamp>.json and latest.json.
 */
import { mkdir, readdir, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import type { BenchRow } from './types.js';

const BENCH_DIR = path.dirname(fileURLToPath(import.meta.url));
const SUFFIX = '.bench.ts';

interface BenchResult {
  bench: string;
  rows: BenchRow[];
  error?: string;
}

function isBenchRow(value: unknown): value is BenchRow {
  if (typeof value !== 'object' || value === null) return false;
  const row: Partial<Record<keyof BenchRow, unknown>> = value;
  return (
    typeof row.name === 'string' &&
    typeof row.baseline === 'string' &&
    typeof row.value === 'number' &&
    typeof row.baselineValue === 'number' &&
    typeof row.ratio === 'number' &&
    typeof row.runs === 'number'
  );
}

async function runBench(file: string): Promise<BenchResult> {
  const bench = file.slice(0, -SUFFIX.length);
  try {
    const module: Record<string, unknown> = await import(pathToFileURL(path.join(BENCH_DIR, file)).href);
    const run = module.bench;
    if (typeof run !== 'function') throw new Error(`${file} does not export bench()`);
    const rows: unknown = await run();
    if (!Array.isArray(rows) || !rows.every(isBenchRow))
      throw new Error(`${file}: bench() must return BenchRow[]`);
    return { bench, rows };
  } catch (error) {
    // One broken bench must not hide the others' figures.
    return { bench, rows: [], error: error instanceof Error ? error.message : String(error) };
  }
}

function formatNumber(value: number): string {
  return Math.abs(value) >= 100 ? value.toFixed(0) : value.toFixed(2);
}

function table(results: BenchResult[]): string {
  const header = ['bench', 'name', 'value', 'baseline', 'ratio', 'runs', 'notes'];
  const lines = results.flatMap((result) =>
    result.error !== undefined
      ? [[result.bench, 'FAILED', '', '', '', '', result.error]]
      : result.rows.map((row) => [
          result.bench,
          row.name,
          `${formatNumber(row.value)} ${row.unit}`,
          `${formatNumber(row.baselineValue)} ${row.unit} (${row.baseline})`,
          `${row.ratio.toFixed(2)}x`,
          String(row.runs),
          row.notes ?? '',
        ]),
  );
  const all = [header, ...lines];
  const widths = header.map((_, column) => Math.max(...all.map((line) => (line[column] ?? '').length)));
  const numeric = new Set([2, 4, 5]);
  const render = (line: string[]): string =>
    line
      .map((cell, column) => {
        const width = widths[column] ?? 0;
        return numeric.has(column) ? cell.padStart(width) : cell.padEnd(width);
      })
      .join('  ')
      .trimEnd();
  return [render(header), widths.map((width) => '-'.repeat(width)).join('  '), ...lines.map(render)].join(
    '\n',
  );
}

async function main(): Promise<void> {
  const filter = process.argv[2];
  const files = (await readdir(BENCH_DIR))
    .filter((file) => file.endsWith(SUFFIX))
    .filter((file) => filter === undefined || file.includes(filter))
    .sort();
  if (files.length === 0) {
    console.error(`no bench matches ${filter ?? '*'} in ${BENCH_DIR}`);
    process.exitCode = 1;
    return;
  }
  const results: BenchResult[] = [];
  // One at a time: benches measure time, and two at once would measure each other.
  for (const file of files) {
    console.error(`running ${file} ...`);
    results.push(await runBench(file));
  }
  console.log(table(results));

  const startedAt = new Date().toISOString();
  const report = {
    startedAt,
    host: { platform: process.platform, cpus: os.cpus().length, node: process.version },
    results,
  };
  const dir = path.join(BENCH_DIR, 'results');
  await mkdir(dir, { recursive: true });
  const json = JSON.stringify(report, null, 2) + '\n';
  await writeFile(path.join(dir, `${startedAt.replace(/[:.]/g, '-')}.json`), json);
  await writeFile(path.join(dir, 'latest.json'), json);
  if (results.some((result) => result.error !== undefined)) process.exitCode = 1;
}

await main();
