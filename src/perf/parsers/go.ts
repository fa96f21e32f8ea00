import type { BenchMeasurement, BenchParser } from '../types.js';
import { invalidOutput } from '../units.js';

/**
 * `go test -bench` text: `BenchmarkName-8   1000   1234.5 ns/op   0 B/op ...`. The `-8` (GOMAXPROCS)
 * is dropped from the name, so a run on another machine still matches; lines without `ns/op` (a
 * benchmark that failed, `PASS`, `ok`) are not measurements.
 */
export const goBench: BenchParser = {
  id: 'go',
  expects: 'the text of `go test -run ^$ -bench .` (lines `BenchmarkName-N  iterations  value ns/op`)',
  parse(text) {
    const out: BenchMeasurement[] = [];
    for (const line of text.split('\n')) {
      // Split on whitespace rather than one regex over the line: linear whatever the line holds.
      const fields = line.trim().split(/\s+/);
      const [name, iterations] = fields;
      if (!name?.startsWith('Benchmark') || !/^\d+$/.test(iterations ?? '')) continue;
      const at = fields.indexOf('ns/op');
      if (at < 3) continue;
      const value = Number(fields[at - 1]);
      if (!Number.isFinite(value) || value < 0) {
        throw invalidOutput('go', `${name}: ${JSON.stringify(fields[at - 1])} is not a time in ns/op`);
      }
      out.push({ name: name.replace(/-\d+$/, ''), value, unit: 'ns' });
    }
    return out;
  },
};
