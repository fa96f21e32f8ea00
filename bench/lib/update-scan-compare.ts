import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { findUpdates } from '../../src/updates/find.js';
import { resolveUpdateSettings } from '../../src/updates/settings.js';
import type { UpdateEcosystem, Updater } from '../../src/updates/types.js';
import type { BenchRow } from '../types.js';

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)] ?? 0;
}

/**
 * autodev's scan of a repository with `dependencies` dependencies against the ecosystem's own
 * "what is outdated" command on the same repository and registry, alternated run by run so both see
 * the same caches and machine load. `client` runs the command once and answers how many it reports.
 */
export async function compareUpdateScan(options: {
  ecosystem: UpdateEcosystem;
  updater: Updater;
  dir: string;
  dependencies: number;
  runs: number;
  client: () => Promise<number>;
  /** The baseline's description, given the count the client reported. */
  baseline: (reported: number) => string;
  notes: string;
}): Promise<BenchRow> {
  const files = { read: (file: string) => readFile(join(options.dir, file), 'utf8').catch(() => undefined) };
  const settings = resolveUpdateSettings({ minimum_release_age: 0 }, undefined);
  const ours: number[] = [];
  const theirs: number[] = [];
  let found = 0;
  let reported = 0;
  for (let run = 0; run < options.runs; run += 1) {
    let start = performance.now();
    const result = await findUpdates(options.updater, files, settings, new Date());
    ours.push(performance.now() - start);
    found = result.candidates.length;
    start = performance.now();
    reported = await options.client();
    theirs.push(performance.now() - start);
  }
  const value = median(ours);
  const baselineValue = median(theirs);
  return {
    name: `dependency update scan, ${options.ecosystem}, ${String(options.dependencies)} dependencies (${String(found)} updates found)`,
    baseline: options.baseline(reported),
    value: Math.round(value),
    baselineValue: Math.round(baselineValue),
    unit: 'ms',
    ratio: Number((value / baselineValue).toFixed(2)),
    runs: options.runs,
    notes: options.notes,
  };
}
