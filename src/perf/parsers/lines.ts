import type { BenchMeasurement, BenchParser } from '../types.js';
import { invalidOutput, toNanos } from '../units.js';

const MAX_NAME = 200;

/**
 * The plain format any script can print: one `name value unit` a line (`parse_config 1.25 ms`), the
 * name being everything before the last two fields. Blank lines and `#` comments are skipped; any
 * other line that does not fit is an error naming it, so a typo is not a benchmark silently gone.
 * Times (ps, ns, us, ms, s) compare in nanoseconds; any other unit is compared as is, higher slower.
 */
export const lineBench: BenchParser = {
  id: 'lines',
  expects: 'one `name value unit` a line, e.g. `parse_config 1.25 ms`',
  parse(text) {
    const out: BenchMeasurement[] = [];
    text.split('\n').forEach((raw, index) => {
      const line = raw.trim();
      if (line === '' || line.startsWith('#')) return;
      const fields = line.split(/\s+/);
      const unit = fields.pop() ?? '';
      const figure = fields.pop() ?? '';
      const name = fields.join(' ');
      const value = Number(figure);
      if (name === '' || name.length > MAX_NAME || figure === '' || !Number.isFinite(value) || value < 0) {
        throw invalidOutput(
          'lines',
          `line ${index + 1} is not \`name value unit\`: ${JSON.stringify(line.slice(0, 120))}`,
        );
      }
      out.push({ name, ...toNanos(value, unit) });
    });
    return out;
  },
};
