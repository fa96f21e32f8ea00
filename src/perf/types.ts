/** The benchmark output formats autodev reads; `[bench] format` in `.autodev.toml` names one. */
export const BENCH_FORMATS = ['criterion', 'go', 'pytest-benchmark', 'hyperfine', 'lines'] as const;
export type BenchFormat = (typeof BENCH_FORMATS)[number];

/**
 * One benchmark's figure from one run of the bench command: the time per operation (or whatever the
 * unit says, for the plain line format). Times are converted to nanoseconds, so base and head compare
 * even when a tool picks a different unit for each.
 */
export interface BenchMeasurement {
  name: string;
  value: number;
  /** `ns` for times; the line format's own unit otherwise (`ops`, `bytes`). Higher is slower. */
  unit: string;
}

/** Reads one run's output of a benchmark tool; throws BENCH_OUTPUT_INVALID naming what is wrong. */
export interface BenchParser {
  readonly id: BenchFormat;
  /** What the command must print (or write to `[bench] output`), for the error messages and docs. */
  readonly expects: string;
  parse(text: string): BenchMeasurement[];
}
