import { emptyCounts, type TestCounts } from '../../parsers/types.js';
import { lines } from '../../parsers/text.js';

const SUMMARY = /^=*\s*((?:\d+ \w+(?:, )?)+) in [\d.]+s/;
const FAILED = /^(?:FAILED|ERROR) (\S+)(?: - (.*))?$/;

/**
 * pytest's terminal summary (`1 failed, 1 passed, 1 skipped in 0.03s` and the `FAILED id - msg`
 * lines of `-rfE`, on by default): used when no JUnit report was written (a custom command).
 */
export function parsePytestSummary(output: string): TestCounts {
  const counts = emptyCounts();
  for (const line of lines(output)) {
    const failed = FAILED.exec(line);
    if (failed?.[1]) {
      counts.failures.push(failed[2] ? { name: failed[1], message: failed[2] } : { name: failed[1] });
      continue;
    }
    const summary = SUMMARY.exec(line);
    if (!summary?.[1]) continue;
    counts.found = true;
    for (const part of summary[1].split(', ')) {
      const [n, kind] = part.split(' ');
      const value = Number(n);
      if (kind === 'passed' || kind === 'xpassed') counts.passed += value;
      else if (kind === 'failed' || kind === 'error' || kind === 'errors') counts.failed += value;
      else if (kind === 'skipped' || kind === 'xfailed' || kind === 'deselected') counts.skipped += value;
    }
  }
  return counts;
}
