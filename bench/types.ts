/**
 * One measured figure: autodev's way against a baseline run side by side on the same machine.
 * Each bench/<name>.bench.ts exports `bench(): Promise<BenchRow[]>`; bench/run.ts runs them all,
 * prints a table and writes JSON under bench/results/.
 */
export interface BenchRow {
  /** What was measured, e.g. "workspace create, 50,000 files". */
  name: string;
  /** What it is compared with, e.g. "git clone --local". */
  baseline: string;
  /** Median of autodev's runs, in the unit below. */
  value: number;
  /** Median of the baseline's runs. */
  baselineValue: number;
  unit: 'ms' | 'KiB' | 'MiB' | 'req/s' | 'MB/s' | '%' | 'tokens' | 'tasks/min';
  /** value / baselineValue. */
  ratio: number;
  runs: number;
  notes?: string;
}
