import type { TestCaseFailure, TestReport } from './types.js';

/**
 * The test runs before and after a change, compared the way SWE-bench judges a fix: the tests the
 * task is about must pass now (FAIL_TO_PASS), and no test that passed before may fail now
 * (PASS_TO_PASS). A failure that was there before and is still there is the repository's, not the
 * change's: reported, never blocking.
 */
export interface TestComparison {
  /** `pass`: targets pass, nothing regressed. `unavailable`: the suite could not run before the change, nor after. */
  verdict: 'pass' | 'fail' | 'unavailable';
  /** Why the suite could not run before the change (build, vet or collection error, no runner); absent when it ran. */
  unavailable?: string;
  /** The tests the task is about: named in the acceptance criteria, else the baseline's failures. */
  targets: string[];
  /** Targets that do not pass after the change. */
  targetsNotPassing: string[];
  /** Failures after the change that were not failures before: tests that passed, new tests, a broken run. */
  introduced: string[];
  /** Failures before the change that are still there and that the task is not about. */
  preexisting: string[];
}

/** A failure that names no test but the run itself: a crash, a package that did not build, a collection error. */
/** The command as configured: without the per-run report path autodev adds (`--junitxml=/tmp/...`). */
function shownCommand(report: TestReport): string {
  return report.command.filter((arg) => !arg.startsWith('--junitxml=')).join(' ');
}

function isSuiteFailure(report: TestReport, failure: TestCaseFailure): boolean {
  return (
    failure.name === report.command.join(' ') ||
    failure.name.endsWith(' [build failed]') ||
    failure.message === 'collection failure' ||
    // pytest's summary names a module that failed to import by its file alone (`ERROR tests/test_x.py`).
    /^[^:]+\.py$/.test(failure.name)
  );
}

/**
 * Why a run could not test anything: it ran no test by name and failed as a whole (or timed out,
 * or printed nothing readable). A single named test failing is a result, not this.
 */
export function suiteUnavailable(report: TestReport): string | undefined {
  if (report.ok) return undefined;
  const where = `${report.language} (${report.root})`;
  if (report.timedOut) return `${where}: \`${shownCommand(report)}\` timed out`;
  if (report.passed > 0 || (report.passedTests?.length ?? 0) > 0) return undefined;
  const named = report.failures.filter((f) => !isSuiteFailure(report, f));
  if (named.length > 0) return undefined;
  const first = report.failures[0];
  const detail = report.inconclusive ?? (first ? `${first.name}: ${first.message ?? 'failed'}` : 'failed');
  return `${where}: \`${shownCommand(report)}\` could not run the tests (${detail.split('\n')[0] ?? ''})`;
}

/** The reasons the baseline suites could not run, one a project; empty when every project ran. */
export function baselineUnavailable(baseline: readonly TestReport[]): string[] {
  return baseline.map(suiteUnavailable).filter((reason): reason is string => reason !== undefined);
}

function key(report: TestReport, name: string): string {
  return `${report.language} (${report.root}) ${name}`;
}

function failureKeys(reports: readonly TestReport[]): Set<string> {
  return new Set(reports.flatMap((r) => r.failures.map((f) => key(r, f.name))));
}

function passedKeys(reports: readonly TestReport[]): Set<string> | undefined {
  if (reports.some((r) => r.passedTests === undefined)) return undefined;
  return new Set(reports.flatMap((r) => (r.passedTests ?? []).map((name) => key(r, name))));
}

/**
 * Test names an acceptance criterion mentions: a known test whose name, or whose last part
 * (`test_add` of `test_calc.py::test_add`), appears in the text as a word of its own.
 */
export function testsNamedIn(acceptance: readonly string[], reports: readonly TestReport[]): string[] {
  const text = acceptance.join('\n');
  const named = new Set<string>();
  for (const report of reports) {
    const names = [...report.failures.map((f) => f.name), ...(report.passedTests ?? [])];
    for (const name of names) {
      if (isSuiteFailure(report, { name })) continue;
      const short = name.split(/::|\.|\//).at(-1) ?? name;
      const candidates = [name, short].filter((c) => c.length >= 4);
      if (candidates.some((c) => mentions(text, c))) named.add(key(report, name));
    }
  }
  return [...named];
}

function mentions(text: string, word: string): boolean {
  const escaped = word.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
  return new RegExp(`(^|[^\\w])${escaped}($|[^\\w])`).test(text);
}

/**
 * Compares the run after the change with the baseline. Targets are the tests the acceptance
 * criteria name; without such a name, the baseline's failures, of which at least one must pass now
 * (the others stay pre-existing). A run the baseline could not make and the change cannot make
 * either is `unavailable`: nobody's fault, for a human to judge.
 */
export function compareTestRuns(
  baseline: readonly TestReport[],
  after: readonly TestReport[],
  acceptance: readonly string[] = [],
): TestComparison {
  const unavailable = baselineUnavailable(baseline);
  const before = failureKeys(baseline);
  const now = failureKeys(after);
  // A target that is gone (deleted, renamed, skipped) neither passes nor fails here: the policy names
  // it (policy/baseline-tests.ts) and a human judges it, as removing a test is not fixing it.
  const stillFails = (k: string): boolean => now.has(k);

  const named = testsNamedIn(acceptance, [...baseline, ...after]);
  const baselineTargets = baseline.flatMap((r) =>
    r.failures.filter((f) => !isSuiteFailure(r, f)).map((f) => key(r, f.name)),
  );
  const targets = named.length > 0 ? named : baselineTargets;
  const passedNow = passedKeys(after);
  const targetsNotPassing =
    named.length > 0
      ? named.filter((k) => stillFails(k) || (passedNow !== undefined && !passedNow.has(k) && !before.has(k)))
      : // Fixing one of several old failures is a fix; none fixed is not.
        baselineTargets.length > 0 && baselineTargets.every(stillFails)
        ? baselineTargets
        : [];

  const introduced = [...now].filter((k) => !before.has(k));
  // A run that did not conclude after the change (cut output, timeout, nothing read) is no pass.
  for (const report of after) {
    if (report.ok || report.failures.length > 0) continue;
    const reason = report.timedOut ? 'timed out' : (report.inconclusive ?? 'failed');
    introduced.push(`${report.language} (${report.root}) \`${shownCommand(report)}\` ${reason}`);
  }
  // Still failing as before, and not what holds the change back (a target it had to fix).
  const blocking = new Set(targetsNotPassing);
  const preexisting = [...now].filter((k) => before.has(k) && !blocking.has(k));

  const afterUnavailable = baselineUnavailable(after);
  const suiteStillDown = unavailable.length > 0 && afterUnavailable.length > 0;
  let verdict: TestComparison['verdict'];
  if (suiteStillDown) verdict = 'unavailable';
  else if (targetsNotPassing.length > 0 || introduced.length > 0) verdict = 'fail';
  else verdict = 'pass';
  return {
    verdict,
    ...(unavailable.length > 0 ? { unavailable: unavailable.join('; ') } : {}),
    targets,
    targetsNotPassing,
    introduced,
    preexisting,
  };
}

/** What the model is told on a repair round: which failures are its own, which were there before. */
export function describeForRepair(comparison: TestComparison): string {
  const list = (items: string[]) => items.map((i) => `- ${i}`).join('\n');
  const parts: string[] = [];
  if (comparison.introduced.length > 0) {
    parts.push(
      `Failing because of your change (they did not fail before it):\n${list(comparison.introduced)}`,
    );
  }
  if (comparison.targetsNotPassing.length > 0) {
    parts.push(`Tests this task is about, still not passing:\n${list(comparison.targetsNotPassing)}`);
  }
  if (comparison.preexisting.length > 0) {
    parts.push(
      `Failing before your change too, not yours to fix (leave them unless the task is about them):\n${list(comparison.preexisting)}`,
    );
  }
  return parts.join('\n\n');
}
