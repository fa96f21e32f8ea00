import { criterionBench } from './parsers/criterion.js';
import { goBench } from './parsers/go.js';
import { hyperfineBench } from './parsers/hyperfine.js';
import { lineBench } from './parsers/lines.js';
import { pytestBenchmark } from './parsers/pytest-benchmark.js';
import type { BenchFormat, BenchParser } from './types.js';

/** One parser a format: `[bench] format` in `.autodev.toml` picks it. */
export const BENCH_PARSERS: Record<BenchFormat, BenchParser> = {
  criterion: criterionBench,
  go: goBench,
  'pytest-benchmark': pytestBenchmark,
  hyperfine: hyperfineBench,
  lines: lineBench,
};

export { BENCH_FORMATS } from './types.js';
export type * from './types.js';
