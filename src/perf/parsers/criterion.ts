import type { BenchMeasurement, BenchParser } from '../types.js';
import { invalidOutput, measuredValue, nanosPer, parseJson } from '../units.js';

const BENCHER_MARK = ' ... bench:';

/**
 * Criterion as `cargo bench` runs it, in either of the machine-readable forms it emits:
 * - `cargo bench -- --output-format bencher`: `test fib 15 ... bench:  1,234 ns/iter (+/- 56)`
 *   (libtest's bencher lines, which `cargo bench` on nightly `#[bench]` prints too);
 * - cargo-criterion's `--message-format=json`: one JSON object a line, `reason: "benchmark-complete"`
 *   with `id` and `typical: {estimate, unit}`.
 * Other lines (cargo's progress, Criterion's own report) are not measurements.
 */
export const criterionBench: BenchParser = {
  id: 'criterion',
  expects:
    'the output of `cargo bench -- --output-format bencher` (lines `test NAME ... bench: N ns/iter`) or cargo-criterion --message-format=json',
  parse(text) {
    const out: BenchMeasurement[] = [];
    for (const raw of text.split('\n')) {
      const line = raw.trim();
      if (line.startsWith('{')) {
        const message = jsonMessage(line);
        if (message) out.push(message);
        continue;
      }
      const mark = line.indexOf(BENCHER_MARK);
      if (!line.startsWith('test ') || mark < 0) continue;
      const name = line.slice('test '.length, mark).trim();
      const [figure = '', unit = ''] = line
        .slice(mark + BENCHER_MARK.length)
        .trim()
        .split(/\s+/);
      const value = Number(figure.replace(/,/g, ''));
      const perIter = nanosPer(unit.replace(/\/iter$/, ''));
      if (!Number.isFinite(value) || perIter === undefined) {
        throw invalidOutput(
          'criterion',
          `${name}: ${JSON.stringify(`${figure} ${unit}`)} is not a time per iteration`,
        );
      }
      out.push({ name, value: value * perIter, unit: 'ns' });
    }
    return out;
  },
};

function jsonMessage(line: string): BenchMeasurement | undefined {
  const message = parseJson('criterion', line) as {
    reason?: unknown;
    id?: unknown;
    typical?: { estimate?: unknown; unit?: unknown };
  } | null;
  if (message?.reason !== 'benchmark-complete') return undefined;
  if (typeof message.id !== 'string' || message.id === '') {
    throw invalidOutput('criterion', 'a benchmark-complete message has no id');
  }
  const estimate = measuredValue('criterion', `${message.id}: typical.estimate`, message.typical?.estimate);
  const unit = String(message.typical?.unit);
  const factor = nanosPer(unit);
  if (factor === undefined) {
    throw invalidOutput('criterion', `${message.id}: typical.unit ${JSON.stringify(unit)} is not a time`);
  }
  return { name: message.id, value: estimate * factor, unit: 'ns' };
}
