/**
 * The repo map a codegen step pays for, in one process as the server runs it: the first map
 * compiles the grammars (once per process) and parses every file; a later map of the same contents
 * (the next task on the repo, a map after the warm-up during setup) takes the tags from the
 * process's cache by content; a parser without that cache shows what parsing alone costs.
 * Measured on src/repomap itself.
 */
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { buildRepoMap, createTagParser, type TagParser } from '../src/repomap/index.js';
import { createTagCache } from '../src/repomap/tag-parser.js';
import type { BenchRow } from './types.js';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const RUNS = 7;

async function oneMap(parser?: TagParser): Promise<number> {
  const started = performance.now();
  await buildRepoMap(
    {
      workspaceDir: path.join(ROOT, 'src', 'repomap'),
      taskText: 'rank files for the repo map',
      tokenBudget: 1_024,
    },
    parser ? { parser } : {},
  );
  return performance.now() - started;
}

async function medianOf(run: () => Promise<number>): Promise<number> {
  const times: number[] = [];
  for (let i = 0; i < RUNS; i += 1) times.push(await run());
  return [...times].sort((a, b) => a - b)[Math.floor(times.length / 2)] ?? 0;
}

export async function bench(): Promise<BenchRow[]> {
  const first = await oneMap();
  const cached = await medianOf(() => oneMap());
  // A cache of its own, empty each run: grammars already compiled, every file parsed again.
  const parsed = await medianOf(() =>
    oneMap(createTagParser({ parseTimeoutMs: 2_000, cache: createTagCache() })),
  );
  return [
    {
      name: 'repo map of src/repomap, contents parsed before in the process (tag cache)',
      baseline: 'the first map (grammar load + parse)',
      value: cached,
      baselineValue: first,
      unit: 'ms',
      ratio: first === 0 ? 0 : cached / first,
      runs: RUNS,
      notes: 'each map made as the codegen step makes it: no parser of its own',
    },
    {
      name: 'repo map of src/repomap, contents parsed before in the process (tag cache)',
      baseline: 'grammars loaded, every file parsed again',
      value: cached,
      baselineValue: parsed,
      unit: 'ms',
      ratio: parsed === 0 ? 0 : cached / parsed,
      runs: RUNS,
    },
  ];
}
