import { emptyCounts, type TestCounts } from '../../parsers/types.js';
import { lines } from '../../parsers/text.js';

// vitest: `      Tests  1 failed | 1 passed | 1 skipped (3)`; jest: `Tests:       1 failed, 1 skipped, 2 passed, 4 total`.
const VITEST_TESTS = /^\s*Tests\s{2,}(.+?)\s+\(\d+\)$/;
const JEST_TESTS = /^Tests:\s+(.+?), \d+ total$/;
const VITEST_FAIL = /^\s*FAIL\s+(.+? > .+?)(?:\s+\[.*\])?$/;
const JEST_FAIL = /^\s*● (.+? › .+)$/;
// mocha: `  1 passing (5ms)`, `  1 pending`, `  1 failing`, then `  1) suite\n       name:`.
const MOCHA = /^\s+(\d+) (passing|failing|pending)(?: \(.*\))?$/;
const MOCHA_FAILURE = /^\s+\d+\) (.+?)(:)?$/;

function addCounts(counts: TestCounts, parts: string[]): void {
  for (const part of parts) {
    const match = /^(\d+) (\w+)/.exec(part.trim());
    if (!match) continue;
    const value = Number(match[1]);
    if (match[2] === 'passed') counts.passed += value;
    else if (match[2] === 'failed') counts.failed += value;
    else if (['skipped', 'todo', 'pending'].includes(match[2] ?? '')) counts.skipped += value;
  }
}

/** vitest and jest print one totals line; failing tests as `FAIL file > name` / `● Suite › name`. */
export function parseVitestOrJestOutput(output: string): TestCounts {
  const counts = emptyCounts();
  for (const line of lines(output)) {
    const vitest = VITEST_TESTS.exec(line);
    const jest = JEST_TESTS.exec(line);
    if (vitest?.[1]) {
      counts.found = true;
      addCounts(counts, vitest[1].split(' | '));
      continue;
    }
    if (jest?.[1]) {
      counts.found = true;
      addCounts(counts, jest[1].split(', '));
      continue;
    }
    const name = VITEST_FAIL.exec(line)?.[1] ?? JEST_FAIL.exec(line)?.[1];
    if (name && !counts.failures.some((f) => f.name === name)) counts.failures.push({ name });
  }
  return counts;
}

export function parseMochaOutput(output: string): TestCounts {
  const counts = emptyCounts();
  const all = lines(output);
  let afterTotals = false;
  for (let i = 0; i < all.length; i++) {
    const line = all[i] ?? '';
    const total = MOCHA.exec(line);
    if (total) {
      counts.found = true;
      afterTotals = true;
      const value = Number(total[1]);
      if (total[2] === 'passing') counts.passed = value;
      else if (total[2] === 'failing') counts.failed = value;
      else counts.skipped = value;
      continue;
    }
    if (!afterTotals) continue;
    // A failure heading is `1) suite` then indented parts down to the test name ending in `:`.
    const head = MOCHA_FAILURE.exec(line);
    if (!head?.[1]) continue;
    const parts = [head[1]];
    let ended = head[2] === ':';
    while (!ended && i + 1 < all.length) {
      const next = (all[i + 1] ?? '').trim();
      if (!next) break;
      i++;
      ended = next.endsWith(':');
      parts.push(ended ? next.slice(0, -1) : next);
    }
    counts.failures.push({ name: parts.join(' ') });
  }
  return counts;
}
