import { emptyCounts, type TestCounts } from '../../parsers/types.js';
import { lines } from '../../parsers/text.js';

// TAP as tape (1.x to 5.x) and most TAP producers print it: `ok 3 message`, `not ok 4 - message`,
// `# name` opening each test, then `1..N`, `# tests N`, `# pass  N` (tape pads with two spaces), `# fail N`.
const POINT = /^(not )?ok \d+(?: -)?(?: (.*))?$/;
const DIRECTIVE = / # (?:SKIP|TODO)\b/i;
const PLAN = /^1\.\.\d+/;
const TOTAL = /^# (tests|pass|fail|skip|todo)\s+(\d+)$/;
// Node's own runner also prints TAP, with `# Subtest:` headings; its parser reads that better.
const NODE_SUBTEST = /^\s*# Subtest: /;

/**
 * Top-level TAP (tape and the like). A test's points are named `test name > message` so the same
 * assertion message ("should be equal") in two tests stays two names; names repeat only where
 * the library repeats them, and are listed once.
 */
export function parseTapOutput(output: string): TestCounts {
  const counts = emptyCounts();
  const failing = new Set<string>();
  const passing = new Set<string>();
  const totals = new Map<string, number>();
  let points = { passed: 0, failed: 0, skipped: 0 };
  let current = '';
  for (const line of lines(output)) {
    if (NODE_SUBTEST.test(line)) return emptyCounts();
    if (PLAN.test(line)) counts.found = true;
    const total = TOTAL.exec(line);
    if (total?.[1] && total[2]) {
      totals.set(total[1], Number(total[2]));
      continue;
    }
    const point = POINT.exec(line);
    if (point) {
      const text = point[2] ?? '';
      const directive = DIRECTIVE.exec(text);
      const message = (directive ? text.slice(0, directive.index) : text).trim() || '(unnamed)';
      const name = current ? `${current} > ${message}` : message;
      if (directive) points = { ...points, skipped: points.skipped + 1 };
      else if (point[1]) {
        points = { ...points, failed: points.failed + 1 };
        failing.add(name);
      } else {
        points = { ...points, passed: points.passed + 1 };
        passing.add(name);
      }
      continue;
    }
    // Any other top-level comment names the test whose points follow (tape's `test('name', …)`).
    if (line.startsWith('# ') && line !== '# ok') current = line.slice(2).trim();
  }
  if (!counts.found && totals.size === 0) return counts;
  counts.found = true;
  // The runner's own totals win over counting points; a crash mid-run leaves only the points.
  counts.passed = totals.get('pass') ?? points.passed;
  counts.failed = totals.get('fail') ?? points.failed;
  const skippedTotal = (totals.get('skip') ?? 0) + (totals.get('todo') ?? 0);
  counts.skipped = totals.has('skip') || totals.has('todo') ? skippedTotal : points.skipped;
  counts.failures = [...failing].map((name) => ({ name }));
  // A name that failed once in a test is not passing, even if another assertion of that name passed.
  const passed = [...passing].filter((name) => !failing.has(name));
  if (passed.length > 0) counts.passedNames = passed;
  return counts;
}
