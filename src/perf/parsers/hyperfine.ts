import type { BenchMeasurement, BenchParser } from '../types.js';
import { invalidOutput, measuredValue, parseJson } from '../units.js';

/**
 * hyperfine's `--export-json` file: `results[]` with `command` (or the `-n` name) and `median` in
 * seconds (`mean` when an older hyperfine wrote no median).
 */
export const hyperfineBench: BenchParser = {
  id: 'hyperfine',
  expects: 'the JSON hyperfine writes with --export-json FILE (set [bench] output = "FILE")',
  parse(text) {
    const doc = parseJson('hyperfine', text) as { results?: unknown } | null;
    if (!Array.isArray(doc?.results)) throw invalidOutput('hyperfine', 'no `results` array at the top level');
    return doc.results.map((entry: unknown, i): BenchMeasurement => {
      const r = entry as { command?: unknown; median?: unknown; mean?: unknown } | null;
      if (typeof r?.command !== 'string' || r.command === '') {
        throw invalidOutput('hyperfine', `results[${i}] has no command`);
      }
      const field = r.median === undefined ? 'mean' : 'median';
      const seconds = measuredValue('hyperfine', `${r.command}: ${field}`, r[field]);
      return { name: r.command, value: seconds * 1e9, unit: 'ns' };
    });
  },
};
