import type { TestReport } from '../types.js';

/** A test run's report for unit tests: a passing pytest run with nothing counted, and the overrides. */
export function testReport(overrides: Partial<TestReport>): TestReport {
  return {
    language: 'python',
    root: '.',
    command: ['python3', '-m', 'pytest'],
    exitCode: 0,
    passed: 0,
    failed: 0,
    skipped: 0,
    failures: [],
    ok: true,
    timedOut: false,
    truncated: false,
    durationMs: 1,
    outputTail: '',
    ...overrides,
  };
}
