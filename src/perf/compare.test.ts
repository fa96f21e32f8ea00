import { describe, expect, it } from 'vitest';
import { compareBenchmark } from './compare.js';

const options = { maxRegressionPct: 10, seed: 7 };

describe('compareBenchmark on noisy runs', () => {
  it('calls a 1.5x shift inside a 20% spread noisy, not a regression: three rounds under load prove nothing', () => {
    const result = compareBenchmark('BenchmarkX', 'ns', [100, 104, 96], [120, 150, 180], options);
    expect(result.ci[0]).toBeGreaterThan(1.1); // the bootstrap alone would have flagged it
    expect(result).toMatchObject({ regression: false, noisy: true });
  });

  it('still flags a slowdown that clears the noise band by far', () => {
    const result = compareBenchmark('BenchmarkX', 'ns', [100, 104, 96], [1200, 1500, 1800], options);
    expect(result).toMatchObject({ regression: true, noisy: false });
  });

  it('flags a steady 30% slowdown', () => {
    const result = compareBenchmark('BenchmarkX', 'ns', [100, 101, 99, 100], [130, 131, 129, 130], options);
    expect(result).toMatchObject({ regression: true, noisy: false });
  });
});
