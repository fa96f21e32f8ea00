import type { BenchSamples } from './compare.js';
import { median } from './statistics.js';
import type { BenchMeasurement } from './types.js';

export type BenchSide = 'base' | 'head';

/**
 * Runs base and head alternately on the same worker (A B A B ...): a warm-up pair whose figures are
 * dropped (caches, page cache, CPU frequency), then `rounds` measured pairs, so a machine that slows
 * down or speeds up mid-way weighs on both sides alike. Each run's figures for a name are folded
 * into one (their median: `go test -count=3` prints a benchmark three times).
 */
export async function measureInterleaved(
  rounds: number,
  runOnce: (side: BenchSide, round: number) => Promise<BenchMeasurement[]>,
): Promise<Record<BenchSide, BenchSamples>> {
  const samples: Record<BenchSide, BenchSamples> = { base: new Map(), head: new Map() };
  for (let round = 0; round <= rounds; round += 1) {
    for (const side of ['base', 'head'] as const) {
      const measured = await runOnce(side, round);
      if (round === 0) continue;
      for (const [name, { unit, values }] of foldByName(measured)) {
        const entry = samples[side].get(name) ?? { unit, values: [] };
        entry.values.push(median(values));
        samples[side].set(name, entry);
      }
    }
  }
  return samples;
}

function foldByName(measured: BenchMeasurement[]): BenchSamples {
  const byName: BenchSamples = new Map();
  for (const m of measured) {
    const entry = byName.get(m.name) ?? { unit: m.unit, values: [] };
    if (entry.unit === m.unit) entry.values.push(m.value);
    byName.set(m.name, entry);
  }
  return byName;
}
