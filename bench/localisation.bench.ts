/**
 * Localisation: for real bug-fix releases, does the repository map, given only the release note,
 * rank a file the fix changed in its top 1, 3 and 5? Next to BM25 over the files' contents, with the
 * tokens each costs, on two case sets: npm libraries, and Python/Rust/Go libraries (so the figure is
 * not tuned to one set). The releases are fetched with each ecosystem's own client at run time into
 * bench/.cache/ (sha256-pinned, never committed); per-case detail goes to
 * bench/results/localisation-cases.json.
 */
import { mkdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { createTagParser } from '../src/repomap/index.js';
import { NPM_CASES } from './localisation/cases.js';
import { SECOND_CASES } from './localisation/cases-second.js';
import type { ReleasePair } from './localisation/fetch.js';
import { MAP_TOKENS, runCase, TOP_K, type CaseOutcome, type CaseResult } from './localisation/run-case.js';
import type { BenchRow } from './types.js';

const BENCH_DIR = path.dirname(fileURLToPath(import.meta.url));
const CACHE_DIR = path.join(BENCH_DIR, '.cache');
const CASE_SETS: readonly { set: string; cases: readonly ReleasePair[] }[] = [
  { set: 'npm', cases: NPM_CASES },
  { set: 'PyPI/crates/Go', cases: SECOND_CASES },
];

export async function bench(): Promise<BenchRow[]> {
  const parser = createTagParser({ parseTimeoutMs: 2_000 });
  const rows: BenchRow[] = [];
  const detail: Record<string, CaseOutcome[]> = {};
  for (const { set, cases } of CASE_SETS) {
    const outcomes: CaseOutcome[] = [];
    for (const spec of cases) outcomes.push(await runCase(CACHE_DIR, parser, spec));
    detail[set] = outcomes;
    rows.push(...setRows(set, outcomes));
  }
  await mkdir(path.join(BENCH_DIR, 'results'), { recursive: true });
  await writeFile(
    path.join(BENCH_DIR, 'results', 'localisation-cases.json'),
    `${JSON.stringify(detail, null, 1)}\n`,
  );
  return rows;
}

function setRows(set: string, outcomes: readonly CaseOutcome[]): BenchRow[] {
  const results = outcomes.filter((outcome): outcome is CaseResult => !('excluded' in outcome));
  const count = results.length;
  const share = (position: (result: CaseResult) => number, k: number) =>
    count === 0 ? 0 : (100 * results.filter((result) => position(result) <= k).length) / count;
  const excluded = outcomes.length - count;
  const packages = new Set(results.map((r) => r.case.split(' ')[0])).size;
  const notes = `${count} bug fixes in ${packages} packages${excluded > 0 ? `, ${excluded} releases excluded (no source change or note)` : ''}`;
  const rows: BenchRow[] = TOP_K.map((k) => {
    const map = share((result) => result.mapPosition, k);
    const bm25 = share((result) => result.bm25Position, k);
    const graph = share((result) => result.graphPosition, k);
    return {
      name: `localisation (${set}): a changed file in the map's top ${k}`,
      baseline: 'BM25 over file contents',
      value: map,
      baselineValue: bm25,
      unit: '%',
      ratio: bm25 === 0 ? 0 : map / bm25,
      runs: count,
      notes: `${notes}; graph alone ${graph.toFixed(1)} %`,
    };
  });
  const median = (values: number[]) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)] ?? 0;
  const mapTokens = median(results.map((result) => result.mapTokens));
  const listing = median(results.map((result) => result.bm25ListingTokens));
  const contents = median(results.map((result) => result.bm25ContentTokens));
  const fileCounts = results.map((result) => result.files);
  rows.push({
    name: `localisation (${set}): tokens of the map (budget ${MAP_TOKENS})`,
    baseline: 'BM25 top-5 file contents',
    value: mapTokens,
    baselineValue: contents,
    unit: 'tokens',
    ratio: contents === 0 ? 0 : mapTokens / contents,
    runs: count,
    notes: `median per task; BM25's top-5 path listing alone: ${listing} tokens; source files per package median ${median(fileCounts)}, at most ${Math.max(0, ...fileCounts)}`,
  });
  return rows;
}
