import { bootstrapRatioInterval, hashSeed, median, ratioOfMedians, relativeSpread } from './statistics.js';

/** One benchmark, base against head: the row of the pull request's table and of the policy input. */
export interface BenchComparison {
  name: string;
  unit: string;
  /** Median over the measured rounds (warm-up excluded). */
  base: number;
  head: number;
  /** head / base: above 1 is slower. */
  ratio: number;
  /** 95% bootstrap confidence interval of the ratio. */
  ci: [number, number];
  /** The interval excludes 1: the change moved this benchmark, one way or the other. */
  significant: boolean;
  /** A run-to-run spread (median absolute deviation over the median) above the threshold: no verdict. */
  noisy: boolean;
  /** Significantly slower by more than max_regression_pct, and not excused as noise. */
  regression: boolean;
  /** The larger relative spread of the two sides, as a fraction. */
  spread: number;
  rounds: number;
}

export interface CompareOptions {
  /** A slowdown beyond this percentage is a regression (`max_regression_pct`). */
  maxRegressionPct: number;
  /** Seed of the resampling; each benchmark's own is derived from it and its name. */
  seed: number;
  resamples?: number;
}

/**
 * Compares one benchmark's samples. A regression needs all of: the whole interval above 1 (not
 * chance), the median ratio beyond the threshold (not a trifle), and runs steady enough to tell
 * (spread within the threshold) unless even the interval's low end is beyond the threshold widened by
 * that spread.
 */
export function compareBenchmark(
  name: string,
  unit: string,
  base: readonly number[],
  head: readonly number[],
  options: CompareOptions,
): BenchComparison {
  const limit = 1 + options.maxRegressionPct / 100;
  const ratio = ratioOfMedians(base, head);
  const ci = bootstrapRatioInterval(base, head, {
    seed: hashSeed(name, options.seed),
    ...(options.resamples ? { resamples: options.resamples } : {}),
  });
  const spread = Math.max(relativeSpread(base), relativeSpread(head));
  const significant = ci[0] > 1 || ci[1] < 1;
  const noisy = spread > options.maxRegressionPct / 100;
  const slower = ci[0] > 1 && ratio > limit;
  // Noisy runs need the interval's low end beyond the threshold by their own spread too: with a few
  // rounds under load, a bootstrap interval is narrow by chance (a no-op was flagged beside a full
  // test run), while a real slowdown clears the noise band by far.
  const regression = slower && (!noisy || ci[0] > limit * (1 + spread));
  return {
    name,
    unit,
    base: median(base),
    head: median(head),
    ratio,
    ci,
    significant,
    noisy: noisy && !regression,
    regression,
    spread,
    rounds: Math.min(base.length, head.length),
  };
}

/** Samples per benchmark name, one side of the comparison. */
export type BenchSamples = Map<string, { unit: string; values: number[] }>;

/** Every benchmark both sides measured, by name; those only one side has are listed apart. */
export function compareRuns(
  base: BenchSamples,
  head: BenchSamples,
  options: CompareOptions,
): { comparisons: BenchComparison[]; baseOnly: string[]; headOnly: string[] } {
  const comparisons: BenchComparison[] = [];
  for (const [name, before] of base) {
    const after = head.get(name);
    if (!after || after.unit !== before.unit) continue;
    comparisons.push(compareBenchmark(name, before.unit, before.values, after.values, options));
  }
  const baseOnly = [...base.keys()].filter((n) => !comparisons.some((c) => c.name === n));
  const headOnly = [...head.keys()].filter((n) => !base.has(n));
  return { comparisons: comparisons.sort((a, b) => a.name.localeCompare(b.name)), baseOnly, headOnly };
}
