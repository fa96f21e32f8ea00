import { describe, expect, it } from 'vitest';
import { testReport as report } from '../languages/__fixtures__/test-report.js';
import { baselineFailuresNotPassing } from './baseline-tests.js';

const baseline = [
  report({
    exitCode: 1,
    passed: 1,
    failed: 1,
    failures: [{ name: 'tests/test_calc.py::test_add', message: 'assert -1 == 5' }],
    ok: false,
  }),
];

describe('tests that failed at baseline must pass after the change', () => {
  it('is satisfied when the runner names the once-failing test among the passes', () => {
    const after = [
      report({
        passed: 2,
        passedTests: ['tests/test_calc.py::test_add', 'tests/test_strings.py::test_upper'],
      }),
    ];
    expect(baselineFailuresNotPassing(baseline, after)).toEqual([]);
  });

  it('names a test that is gone (deleted, renamed or skipped) although the run passed', () => {
    const after = [report({ passed: 1, skipped: 1, passedTests: ['tests/test_strings.py::test_upper'] })];
    expect(baselineFailuresNotPassing(baseline, after)).toEqual(['tests/test_calc.py::test_add']);
  });

  it('names the tests of a project that no longer ran at all', () => {
    expect(baselineFailuresNotPassing(baseline, [])).toEqual([
      'tests/test_calc.py::test_add [python (.) no longer ran]',
    ]);
  });

  it('for a runner that names no passes, wants at least as many passes as tests ran before', () => {
    const node = (passed: number) => [report({ language: 'node', passed })];
    const before = [
      report({
        language: 'node',
        exitCode: 1,
        passed: 3,
        failed: 1,
        failures: [{ name: 'greets' }],
        ok: false,
      }),
    ];
    expect(baselineFailuresNotPassing(before, node(4))).toEqual([]);
    expect(baselineFailuresNotPassing(before, node(3))).toEqual([
      'greets [node (.): 3 passed after the change, fewer than the 4 that passed or failed before]',
    ]);
  });

  it('ignores failures that name no test: a crashed runner, a Go package that did not build', () => {
    const crashed = [
      report({
        exitCode: 2,
        failures: [{ name: 'python3 -m pytest' }, { name: 'example.com/x [build failed]' }],
        ok: false,
      }),
    ];
    expect(baselineFailuresNotPassing(crashed, [report({ passed: 1, passedTests: ['t'] })])).toEqual([]);
  });
});

describe('a baseline failure that still fails after the change', () => {
  it('is pre-existing, not missing: judged by the comparison, not held against the change here', () => {
    const after = [
      report({
        exitCode: 1,
        passed: 1,
        failed: 1,
        failures: [{ name: 'tests/test_calc.py::test_add' }],
        passedTests: ['tests/test_strings.py::test_upper'],
        ok: false,
      }),
    ];
    expect(baselineFailuresNotPassing(baseline, after)).toEqual([]);
  });
});
