/**
 * Localisation: for real bug-fix releases of npm libraries, does the repository map, given only the
 * release note, rank a file the fix changed in its top 1, 3 and 5? Next to BM25 over the files'
 * contents, with the tokens each costs. The releases are fetched with npm at run time into
 * bench/.cache/ (sha256-pinned, never committed); per-case detail goes to
 * bench/results/localisation-cases.json.
 */
import { mkdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { createTagParser } from '../src/repomap/index.js';
import { LOCALISATION_CASES } from './localisation/cases.js';
import { MAP_TOKENS, runCase, TOP_K, type CaseOutcome, type CaseResult } from './localisation/run-case.js';
import type { BenchRow } from './types.js';

const BENCH_DIR = path.dirname(fileURLToPath(import.meta.url));
const CACHE_DIR = path.join(BENCH_DIR, '.cache');

export async function bench(): Promise<BenchRow[]> {
  const parser = createTagParser({ parseTimeoutMs: 2_000 });
  const outcomes: CaseOutcome[] = [];
  for (const spec of LOCALISATION_CASES) outcomes.push(await runCase(CACHE_DIR, parser, spec));
  const results = outcomes.filter((outcome): outcome is CaseResult => !('excluded' in outcome));
  await mkdir(path.join(BENCH_DIR, 'results'), { recursive: true });
  await writeFile(
    path.join(BENCH_DIR, 'results', 'localisation-cases.json'),
    `${JSON.stringify(outcomes, null, 1)}\n`,
  );

  const count = results.length;
  const share = (position: (result: CaseResult) => number, k: number) =>
    count === 0 ? 0 : (100 * results.filter((result) => position(result) <= k).length) / count;
  const excluded = outcomes.length - count;
  const notes = `${count} bug fixes in ${new Set(results.map((r) => r.case.split(' ')[0])).size} packages${excluded > 0 ? `, ${excluded} releases excluded (no source change or note)` : ''}`;
  const rows: BenchRow[] = TOP_K.map((k) => {
    const map = share((result) => result.mapPosition, k);
    const bm25 = share((result) => result.bm25Position, k);
    return {
      name: `localisation: a changed file in the map's top ${k}`,
      baseline: 'BM25 over file contents',
      value: map,
      baselineValue: bm25,
      unit: '%',
      ratio: bm25 === 0 ? 0 : map / bm25,
      runs: count,
      notes,
    };
  });
  const median = (values: number[]) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)] ?? 0;
  const mapTokens = median(results.map((result) => result.mapTokens));
  const listing = median(results.map((result) => result.bm25ListingTokens));
  const contents = median(results.map((result) => result.bm25ContentTokens));
  rows.push({
    name: `localisation: tokens of the map (budget ${MAP_TOKENS})`,
    baseline: 'BM25 top-5 file contents',
    value: mapTokens,
    baselineValue: contents,
    unit: 'tokens',
    ratio: contents === 0 ? 0 : mapTokens / contents,
    runs: count,
    notes: `median per task; BM25's top-5 path listing alone: ${listing} tokens`,
  });
  return rows;
}
