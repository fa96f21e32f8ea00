import type { LintWarning, TestCaseFailure } from '../types.js';

/** What a test-output parser extracts; `found` is false when the output held no summary at all. */
export interface TestCounts {
  passed: number;
  failed: number;
  skipped: number;
  failures: TestCaseFailure[];
  found: boolean;
  /**
   * Names of the tests that passed, where the runner names them (same naming as `failures`); absent
   * when it prints counts only. Lets a check confirm that a test failing at baseline now passes.
   */
  passedNames?: string[];
}

export function emptyCounts(): TestCounts {
  return { passed: 0, failed: 0, skipped: 0, failures: [], found: false };
}

export type { LintWarning };
