import { readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { compareBenchmark } from './compare.js';
import { BENCH_PARSERS } from './index.js';

/**
 * Real measurements, taken here with `go test -bench . -benchtime 20ms -count 240` on one unchanged
 * module (same-code) and on the same module with the planted slowdown of test/e2e/perf-regression
 * (slowed). Consecutive runs stand in for the interleaved base/head pairs: 20 comparisons of a warm-up
 * pair plus 5 measured pairs each, as a task with bench_rounds = 5 makes them.
 */
const fixture = (name: string) =>
  BENCH_PARSERS.go
    .parse(readFileSync(path.join(import.meta.dirname, '__fixtures__', name), 'utf8'))
    .map((m) => m.value);

const ROUNDS = 5;
const RUNS = 20;
const PAIR_RUNS = 2 * (1 + ROUNDS);

function comparisons(base: number[], head: number[]) {
  return Array.from({ length: RUNS }, (_, run) => {
    const at = run * PAIR_RUNS + 2; // the warm-up pair is dropped
    const pick = (values: number[], offset: number) =>
      Array.from({ length: ROUNDS }, (_, r) => values[at + 2 * r + offset] ?? Number.NaN);
    return compareBenchmark('BenchmarkSumSquares', 'ns', pick(base, 0), pick(head, 1), {
      maxRegressionPct: 10,
      seed: run,
    });
  });
}

describe('the comparison on real measurements', () => {
  const same = fixture('go-bench-same-code.txt');
  const slowed = fixture('go-bench-slowed.txt');

  it('the fixtures hold enough runs for 20 comparisons', () => {
    expect(same.length).toBeGreaterThanOrEqual(RUNS * PAIR_RUNS);
    expect(slowed.length).toBeGreaterThanOrEqual(RUNS * PAIR_RUNS);
  });

  it('a no-op change (the same code on both sides) is flagged in none of 20 comparisons', () => {
    const results = comparisons(same, same);
    const flagged = results.filter((c) => c.regression);
    console.log(
      `false positives: ${flagged.length}/${RUNS}, noisy: ${results.filter((c) => c.noisy).length}; ratios ${results.map((c) => c.ratio.toFixed(3)).join(' ')}`,
    );
    expect(flagged).toEqual([]);
  });

  it('the planted slowdown is a regression in each of 20 comparisons', () => {
    const results = comparisons(same, slowed);
    expect(results.filter((c) => !c.regression).map((c) => c.ratio)).toEqual([]);
  });
});

describe('the verdict rules', () => {
  const opts = { maxRegressionPct: 10, seed: 7 };

  it('a steady 50% slowdown is significant and a regression, its interval above 1', () => {
    const c = compareBenchmark('b', 'ns', [100, 101, 99, 100, 102], [150, 151, 149, 152, 150], opts);
    expect(c).toMatchObject({ significant: true, regression: true, noisy: false, base: 100, head: 150 });
    expect(c.ci[0]).toBeGreaterThan(1);
  });

  it('a significant 5% slowdown is within the threshold: not a regression', () => {
    const c = compareBenchmark('b', 'ns', [100, 100, 101, 99, 100], [105, 105, 106, 104, 105], opts);
    expect(c).toMatchObject({ significant: true, regression: false });
  });

  it('runs that spread beyond the threshold are noisy, not a regression, unless even the low end is beyond it', () => {
    const noisy = compareBenchmark('b', 'ns', [100, 70, 130, 100, 60], [115, 80, 150, 120, 70], opts);
    expect(noisy).toMatchObject({ noisy: true, regression: false });
    const clear = compareBenchmark('b', 'ns', [100, 70, 130, 100, 80], [400, 300, 500, 420, 350], opts);
    expect(clear).toMatchObject({ noisy: false, regression: true });
  });

  it('the same samples and seed give the same interval', () => {
    const a = compareBenchmark('b', 'ns', [1, 2, 3, 4, 5], [2, 3, 4, 5, 6], opts);
    const b = compareBenchmark('b', 'ns', [1, 2, 3, 4, 5], [2, 3, 4, 5, 6], opts);
    expect(a.ci).toEqual(b.ci);
  });
});
