import type { TestReport } from '../languages/types.js';

/**
 * Failures that name no test: the entry for a runner that crashed without naming one (its command)
 * and a Go package that did not build. Whether those are fixed shows in the run passing, not by name.
 */
function namedFailures(report: TestReport): string[] {
  const command = report.command.join(' ');
  return report.failures
    .map((f) => f.name)
    .filter((name) => name !== command && !name.endsWith(' [build failed]'));
}

/**
 * The tests that failed before the change and neither pass nor fail after it: deleted, renamed,
 * skipped or no longer collected. A change that makes the tests pass by removing the failing one
 * fixes nothing, so each of these is named. One that still fails is not here: it is pre-existing
 * (see languages/test-comparison.ts), reported and judged there. Runners that name their passing
 * tests are checked by name; for the others, the number of passing tests must have grown by at
 * least the baseline failures that no longer fail.
 */
export function baselineFailuresNotPassing(
  baseline: readonly TestReport[],
  after: readonly TestReport[],
): string[] {
  const missing: string[] = [];
  for (const before of baseline) {
    const names = namedFailures(before);
    if (names.length === 0) continue;
    const where = `${before.language} (${before.root})`;
    const now = after.find((r) => r.language === before.language && r.root === before.root);
    if (!now) {
      missing.push(...names.map((name) => `${name} [${where} no longer ran]`));
      continue;
    }
    const stillFailing = new Set(now.failures.map((f) => f.name));
    const gone = names.filter((name) => !stillFailing.has(name));
    if (now.passedTests) {
      const passed = new Set(now.passedTests);
      missing.push(...gone.filter((name) => !passed.has(name)));
      continue;
    }
    const expected = before.passed + gone.length;
    if (gone.length > 0 && now.passed < expected) {
      missing.push(
        `${gone.join(', ')} [${where}: ${now.passed} passed after the change, fewer than the ${expected} that passed or failed before]`,
      );
    }
  }
  return missing;
}
