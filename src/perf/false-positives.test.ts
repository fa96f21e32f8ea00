import { readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { compareBenchmark } from './compare.js';
import { BENCH_PARSERS } from './index.js';

/**
 * Real measurements, taken on this 2-core machine while other work ran on it, 240 runs each.
 * same-code: consecutive runs of one unchanged repository, standing in for the interleaved base/head
 * pairs of a no-op change. Slowed: the change with the planted slowdown; Go's 240 runs taken apart
 * from the unchanged ones (`go test -bench . -benchtime 20ms -count 240` on the module of
 * test/e2e/perf-regression), Rust's, Python's and Node's as 120 interleaved pairs (unchanged, slowed)
 * of their `[bench] command` on the repositories of test/e2e/perf-languages.ts, as a task runs them:
 * the machine's load moved their figures up to fivefold over minutes, so runs taken apart compare the
 * load as much as the change. 20 comparisons of a warm-up pair plus 5 measured pairs each, as a task
 * with bench_rounds = 5 makes them.
 */
const RECORDED = [
  { language: 'Go', file: 'go', format: 'go', benchmark: 'BenchmarkSumSquares', slowed: 'apart' },
  { language: 'Rust', file: 'rust', format: 'criterion', benchmark: 'sum_squares', slowed: 'pairs' },
  { language: 'Python', file: 'python', format: 'lines', benchmark: 'sum_squares', slowed: 'pairs' },
  { language: 'Node', file: 'node', format: 'lines', benchmark: 'sum_squares', slowed: 'pairs' },
] as const;

const ROUNDS = 5;
const RUNS = 20;
const PAIR_RUNS = 2 * (1 + ROUNDS);

describe.each(RECORDED)('the comparison on real $language measurements', (recorded) => {
  const fixture = (side: string) =>
    BENCH_PARSERS[recorded.format]
      .parse(
        readFileSync(
          path.join(import.meta.dirname, '__fixtures__', `${recorded.file}-bench-${side}.txt`),
          'utf8',
        ),
      )
      .map((m) => m.value);
  const same = fixture('same-code');
  // Interleaved pairs: the unchanged run is the base, the slowed one beside it the head.
  const [slowedBase, slowed] =
    recorded.slowed === 'pairs'
      ? [fixture('slowed-pairs'), fixture('slowed-pairs')]
      : [same, fixture('slowed')];

  function comparisons(base: number[], head: number[]) {
    return Array.from({ length: RUNS }, (_, run) => {
      const at = run * PAIR_RUNS + 2; // the warm-up pair is dropped
      const pick = (values: number[], offset: number) =>
        Array.from({ length: ROUNDS }, (_, r) => values[at + 2 * r + offset] ?? Number.NaN);
      return compareBenchmark(recorded.benchmark, 'ns', pick(base, 0), pick(head, 1), {
        maxRegressionPct: 10,
        seed: run,
      });
    });
  }

  it('the fixtures hold enough runs for 20 comparisons', () => {
    expect(same.length).toBeGreaterThanOrEqual(RUNS * PAIR_RUNS);
    expect(slowed.length).toBeGreaterThanOrEqual(RUNS * PAIR_RUNS);
  });

  it('a no-op change (the same code on both sides) is flagged in none of 20 comparisons', () => {
    const results = comparisons(same, same);
    const flagged = results.filter((c) => c.regression);
    console.log(
      `${recorded.language}: false positives: ${flagged.length}/${RUNS}, noisy: ${results.filter((c) => c.noisy).length}; ratios ${results.map((c) => c.ratio.toFixed(3)).join(' ')}`,
    );
    expect(flagged).toEqual([]);
  });

  it('the planted slowdown is a regression in each of 20 comparisons', () => {
    const results = comparisons(slowedBase, slowed);
    console.log(`${recorded.language}: slowdown ratios ${results.map((c) => c.ratio.toFixed(2)).join(' ')}`);
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
