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
 * The tests that failed before the change and do not pass after it: deleted, renamed, skipped or
 * no longer collected. A change that makes the tests pass by removing the failing one fixes
 * nothing, so each of these is named. Runners that name their passing tests are checked by name;
 * for the others, the number of passing tests must have grown by at least the baseline failures.
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
    if (now.passedTests) {
      const passed = new Set(now.passedTests);
      missing.push(...names.filter((name) => !passed.has(name)));
      continue;
    }
    const expected = before.passed + names.length;
    if (now.passed < expected) {
      missing.push(
        `${names.join(', ')} [${where}: ${now.passed} passed after the change, fewer than the ${expected} that passed or failed before]`,
      );
    }
  }
  return missing;
}
