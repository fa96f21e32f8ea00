import { AutodevError } from '../errors.js';
import type { BenchFormat } from './types.js';

const NANOS: Record<string, number> = {
  ps: 1e-3,
  ns: 1,
  us: 1e3,
  µs: 1e3,
  μs: 1e3,
  ms: 1e6,
  s: 1e9,
};

/** Nanoseconds in one `unit` of time; undefined when the unit is not a time. */
export function nanosPer(unit: string): number | undefined {
  return NANOS[unit];
}

/** A time in `unit` as nanoseconds; the value unchanged (with its unit) when the unit is not a time. */
export function toNanos(value: number, unit: string): { value: number; unit: string } {
  const factor = nanosPer(unit);
  return factor === undefined ? { value, unit } : { value: value * factor, unit: 'ns' };
}

/** What every parser throws: the format, what was wrong, and where. */
export function invalidOutput(format: BenchFormat, message: string): AutodevError {
  return new AutodevError('BENCH_OUTPUT_INVALID', `${format} benchmark output: ${message}`, {
    details: { format },
  });
}

/** A finite, non-negative number, or the parser's error naming the field. */
export function measuredValue(format: BenchFormat, field: string, raw: unknown): number {
  if (typeof raw !== 'number' || !Number.isFinite(raw) || raw < 0) {
    throw invalidOutput(format, `${field} must be a non-negative number, got ${JSON.stringify(raw)}`);
  }
  return raw;
}

/** JSON.parse with the format's error instead of a SyntaxError. */
export function parseJson(format: BenchFormat, text: string): unknown {
  try {
    return JSON.parse(text) as unknown;
  } catch (error) {
    throw invalidOutput(format, `not JSON: ${(error as Error).message}`);
  }
}
