/**
 * Edit application, measured: 500+ model edits made from real source files in TypeScript/JavaScript,
 * Python, Go and Rust, each with a known right outcome. Reports, per kind and in total, the shares
 * applied correctly, refused correctly and applied wrongly, against the figures of the edits code
 * before this benchmark drove its changes (bench/edit-apply-baseline.json).
 */
import { readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { EDIT_CASE_KINDS } from './edit-cases/make-cases.js';
import { generateEditCases } from './edit-cases/generate.js';
import { runCases, tally, type Outcome, type Tally } from './edit-cases/run-cases.js';
import type { BenchRow } from './types.js';

const BENCH_DIR = path.dirname(fileURLToPath(import.meta.url));
const BASELINE_FILE = path.join(BENCH_DIR, 'edit-apply-baseline.json');
const REPORTED = ['applied_correctly', 'refused_correctly', 'applied_wrongly'] as const;

type Tallies = Record<string, Tally>;

export async function measure(): Promise<{ tallies: Tallies; failures: string[] }> {
  const cases = await generateEditCases(path.dirname(BENCH_DIR));
  const results = await runCases(cases);
  const tallies: Tallies = { total: tally(results) };
  for (const kind of EDIT_CASE_KINDS) tallies[kind] = tally(results, kind);
  const failures = results
    .filter((r) => r.outcome === 'applied_wrongly' || r.outcome === 'refused_wrongly')
    .map((r) => `${r.id} ${r.outcome} ${r.error ?? ''}`.slice(0, 300));
  return { tallies, failures };
}

export async function bench(): Promise<BenchRow[]> {
  const { tallies, failures } = await measure();
  const baseline = JSON.parse(await readFile(BASELINE_FILE, 'utf8')) as Tallies;
  const rows: BenchRow[] = [];
  for (const [kind, counts] of Object.entries(tallies)) {
    const before = baseline[kind];
    for (const outcome of REPORTED) {
      const value = share(counts, outcome);
      const baselineValue = before ? share(before, outcome) : 0;
      rows.push({
        name: `edit apply, ${kind}: ${outcome.replace('_', ' ')} (${counts.cases} cases)`,
        baseline: 'edits code before the benchmark',
        value,
        baselineValue,
        unit: '%',
        ratio: baselineValue === 0 ? (value === 0 ? 1 : value) : value / baselineValue,
        runs: 1,
        ...(kind === 'total' && outcome === 'applied_wrongly'
          ? {
              notes: `${counts.refused_wrongly} applicable edit(s) refused; ${failures.slice(0, 5).join(' / ')}`,
            }
          : {}),
      });
    }
  }
  return rows;
}

function share(counts: Tally, outcome: Outcome): number {
  return counts.cases === 0 ? 0 : Math.round((1000 * counts[outcome]) / counts.cases) / 10;
}

/** `tsx bench/edit-apply.bench.ts --baseline` records the current figures as the baseline. */
if (process.argv[1] === fileURLToPath(import.meta.url) && process.argv.includes('--baseline')) {
  const { tallies } = await measure();
  await writeFile(BASELINE_FILE, `${JSON.stringify(tallies, null, 2)}\n`);
  console.log(JSON.stringify(tallies.total));
}
