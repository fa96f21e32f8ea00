/**
 * Repo map per codegen step: each step builds a map without a parser of its own, so what a step pays
 * depends on whether the grammars (wasm) and tag queries are compiled again. The first map in the
 * process pays the load; the later ones should pay only parsing. Measured on src/repomap itself.
 */
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { buildRepoMap } from '../src/repomap/index.js';
import type { BenchRow } from './types.js';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const RUNS = 7;

async function oneMap(): Promise<number> {
  const started = performance.now();
  await buildRepoMap({
    workspaceDir: path.join(ROOT, 'src', 'repomap'),
    taskText: 'rank files for the repo map',
    tokenBudget: 1_024,
  });
  return performance.now() - started;
}

export async function bench(): Promise<BenchRow[]> {
  const first = await oneMap();
  const later: number[] = [];
  for (let i = 0; i < RUNS; i += 1) later.push(await oneMap());
  const median = [...later].sort((a, b) => a - b)[Math.floor(later.length / 2)] ?? 0;
  return [
    {
      name: 'repo map of src/repomap, a later step in the process',
      baseline: 'the first map (grammar + query load)',
      value: median,
      baselineValue: first,
      unit: 'ms',
      ratio: first === 0 ? 0 : median / first,
      runs: RUNS,
      notes: 'each map made without a parser of its own, as the repo_map tool does',
    },
  ];
}
