import { emptyCounts, type TestCounts } from '../../parsers/types.js';
import { lines } from '../../parsers/text.js';

// Both reporters end with the same totals: `# pass 1` (tap) or `ℹ pass 1` (spec).
const TOTAL = /^(?:#|ℹ) (tests|pass|fail|cancelled|skipped|todo) (\d+)$/;
const TAP_OK = /^\s*ok \d+ - (.*?)(\s+#\s+(?:SKIP|TODO).*)?$/;
const TAP_NOT_OK = /^\s*not ok \d+ - (.*?)(?:\s+#\s+(?:SKIP|TODO).*)?$/;
const SPEC_FAILED = /^\s*✖ (.+?) \([\d.]+m?s\)$/;

/**
 * Node's built-in runner (`node --test`), TAP (Node 20's default without a TTY) or spec.
 * Failing names come from `not ok N - name` / `✖ name (1ms)`; suites that failed only
 * because a child did are dropped so each failing test is named once.
 */
export function parseNodeTestOutput(output: string): TestCounts {
  const counts = emptyCounts();
  const failing: string[] = [];
  const passing: string[] = [];
  for (const line of lines(output)) {
    const total = TOTAL.exec(line);
    if (total) {
      counts.found = true;
      const value = Number(total[2]);
      if (total[1] === 'pass') counts.passed = value;
      else if (total[1] === 'fail' || total[1] === 'cancelled') counts.failed += value;
      else if (total[1] === 'skipped' || total[1] === 'todo') counts.skipped += value;
      continue;
    }
    const ok = TAP_OK.exec(line);
    if (ok?.[1] && !ok[2] && !passing.includes(ok[1])) passing.push(ok[1]);
    const name = TAP_NOT_OK.exec(line)?.[1] ?? SPEC_FAILED.exec(line)?.[1];
    if (name && name !== 'failing tests:' && !failing.includes(name)) failing.push(name);
  }
  counts.failures = failing.map((name) => ({ name }));
  // Only TAP names passing tests; the spec reporter's passes are left unnamed rather than guessed.
  if (passing.length > 0) counts.passedNames = passing;
  return counts;
}
