import { emptyCounts, type TestCounts } from '../../parsers/types.js';
import { lines } from '../../parsers/text.js';

const RAN = /^Ran (\d+) tests? in /;
const STATUS = /^(OK|FAILED)(?: \((.*)\))?$/;
// `-v` names each passing test: `test_adds (tests.test_calc.CalcTest.test_adds) ... ok`.
const PASSED = /^\S+ \(([^)]+)\) \.\.\. ok$/;
const PROBLEM = /^(FAIL|ERROR): (\S+) \(([^)]+)\)/;

/** Python's unittest runner: `Ran N tests`, `FAILED (failures=1, errors=1, skipped=2)`, `FAIL: name (id)`. */
export function parseUnittestOutput(output: string): TestCounts {
  const counts = emptyCounts();
  let ran = 0;
  let bad = 0;
  const passing: string[] = [];
  for (const line of lines(output)) {
    const passed = PASSED.exec(line);
    if (passed?.[1]) passing.push(passed[1]);
    const problem = PROBLEM.exec(line);
    if (problem?.[3]) {
      counts.failures.push({ name: problem[3] });
      continue;
    }
    const ranMatch = RAN.exec(line);
    if (ranMatch?.[1]) {
      counts.found = true;
      ran += Number(ranMatch[1]);
      continue;
    }
    const status = STATUS.exec(line);
    if (!status || !counts.found) continue;
    for (const part of (status[2] ?? '').split(', ')) {
      const [kind, n] = part.split('=');
      const value = Number(n ?? 0);
      if (kind === 'failures' || kind === 'errors' || kind === 'unexpected successes') bad += value;
      else if (kind === 'skipped' || kind === 'expected failures') counts.skipped += value;
    }
  }
  counts.failed = bad;
  counts.passed = Math.max(0, ran - bad - counts.skipped);
  // Names only when every pass was named (a run without -v names none).
  if (passing.length > 0 && passing.length === counts.passed) counts.passedNames = passing;
  return counts;
}
