import { describe, expect, it } from 'vitest';
import { testReport as report } from './__fixtures__/test-report.js';
import { compareTestRuns, suiteUnavailable, testsNamedIn } from './test-comparison.js';

const run = (passed: string[], failed: string[]) =>
  report({
    passed: passed.length,
    failed: failed.length,
    passedTests: passed,
    failures: failed.map((name) => ({ name })),
    ok: failed.length === 0,
    exitCode: failed.length === 0 ? 0 : 1,
  });

describe('compareTestRuns (FAIL_TO_PASS and PASS_TO_PASS)', () => {
  const baseline = [run(['t::mul'], ['t::add', 'legacy::io'])];

  it('passes a fix of one failure beside an unrelated one, which is pre-existing', () => {
    const c = compareTestRuns(baseline, [run(['t::mul', 't::add'], ['legacy::io'])]);
    expect(c).toMatchObject({ verdict: 'pass', targetsNotPassing: [], introduced: [] });
    expect(c.preexisting).toEqual(['python (.) legacy::io']);
  });

  it('fails a change that breaks a test that passed before, naming it', () => {
    const c = compareTestRuns(baseline, [run(['t::add'], ['t::mul', 'legacy::io'])]);
    expect(c.verdict).toBe('fail');
    expect(c.introduced).toEqual(['python (.) t::mul']);
  });

  it('fails when no baseline failure was fixed', () => {
    expect(compareTestRuns(baseline, [run(['t::mul'], ['t::add', 'legacy::io'])]).verdict).toBe('fail');
  });

  it('with acceptance naming a test, that test is the target and must pass', () => {
    const before = [run(['t::test_mul'], ['t::test_add', 'legacy::test_io'])];
    const after = [run(['t::test_mul', 'legacy::test_io'], ['t::test_add'])];
    const c = compareTestRuns(before, after, ['test_add passes']);
    expect(c).toMatchObject({ verdict: 'fail', targets: ['python (.) t::test_add'] });
    // A short word that happens to be a test name is no mention ("io" of legacy::io).
    expect(testsNamedIn(['io works again'], baseline)).toEqual([]);
  });

  it('a suite that could not run before nor after is unavailable, not failed', () => {
    const broken = report({
      exitCode: 2,
      failed: 1,
      failures: [{ name: 'test_calc.py::test_calc', message: 'collection failure' }],
      passedTests: [],
      ok: false,
    });
    expect(suiteUnavailable(broken)).toMatch(
      /could not run the tests \(test_calc\.py::test_calc: collection failure\)/,
    );
    expect(compareTestRuns([broken], [broken]).verdict).toBe('unavailable');
    // One named test failing is a result, not an unavailable suite.
    expect(suiteUnavailable(run([], ['t::add']))).toBeUndefined();
  });
});
