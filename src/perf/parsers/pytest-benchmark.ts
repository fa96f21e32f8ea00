import type { BenchMeasurement, BenchParser } from '../types.js';
import { invalidOutput, measuredValue, parseJson } from '../units.js';

/**
 * pytest-benchmark's `--benchmark-json` file: `benchmarks[]` with `fullname` and `stats.median` in
 * seconds. The median of the tool's own rounds is the run's figure (robust to a stray slow round).
 */
export const pytestBenchmark: BenchParser = {
  id: 'pytest-benchmark',
  expects: 'the JSON pytest writes with --benchmark-json=FILE (set [bench] output = "FILE")',
  parse(text) {
    const doc = parseJson('pytest-benchmark', text) as { benchmarks?: unknown } | null;
    if (!Array.isArray(doc?.benchmarks)) {
      throw invalidOutput('pytest-benchmark', 'no `benchmarks` array at the top level');
    }
    return doc.benchmarks.map((entry: unknown, i): BenchMeasurement => {
      const b = entry as { fullname?: unknown; name?: unknown; stats?: { median?: unknown } } | null;
      const name = typeof b?.fullname === 'string' ? b.fullname : b?.name;
      if (typeof name !== 'string' || name === '') {
        throw invalidOutput('pytest-benchmark', `benchmarks[${i}] has no name`);
      }
      const seconds = measuredValue('pytest-benchmark', `${name}: stats.median`, b?.stats?.median);
      return { name, value: seconds * 1e9, unit: 'ns' };
    });
  },
};
