import type { RiskTier } from '../config/schema.js';
import type { DependencyChange } from '../languages/deps/types.js';

export type { DependencyChange };

/** The facts a merge decision is made on: the seed's OPA input document, and what autodev adds to it. */
export interface PolicyInput {
  risk_tier: RiskTier;
  tests_passed: boolean;
  /** Lint warnings the change introduced (the seed's clippy_warnings, for every language). */
  clippy_warnings: number;
  lint_warnings_introduced?: number;
  lint_warnings_preexisting?: number;
  secrets_found: boolean;
  /** Linters that could not run (not installed): an unchecked change is not a clean one. */
  lint_unavailable?: string[];
  files_changed: string[];
  new_dependencies: string[];
  /** `.autodev.toml` files the change touched: autodev's own configuration, never changed by a task unreviewed. */
  autodev_config_changed?: string[];
  /** Tests, test configuration or test commands the change touched (see policy/sensitive-changes.ts). */
  test_changes?: string[];
  /** Tests that failed at baseline and do not pass after the change (deleted, renamed, skipped). */
  baseline_failures_missing?: string[];
  dependency_changes?: DependencyChange[];
  /** Why the tests could not run before the change (or after it): nothing verified the change. */
  tests_unavailable?: string;
  tests_before?: { passed: number; failed: number };
  tests_after?: { passed: number; failed: number };
  /**
   * Benchmarks of the repo's `[bench]` significantly slower after the change by more than
   * `max_regression_pct` (src/perf/): base and head medians, their ratio and its 95% interval.
   */
  perf_regressions?: PerfRegression[];
  constraints?: {
    text: string;
    kind: 'no_new_dependencies' | 'no_public_api_change' | 'unchecked';
    violated?: boolean;
    details?: string[];
  }[];
  /**
   * A multi-repo task's consumer repositories, each changed or built against the changed library
   * (issue #23); the fields above are the library's. Absent for a task of one repository.
   */
  repos?: RepoPolicyInput[];
}

/** One consumer repository of a multi-repo task, as the policy input carries it. */
export interface RepoPolicyInput {
  repo: string;
  role: 'consumer';
  /** Its tests built against the changed library, compared with its own baseline. */
  tests_passed: boolean;
  lint_warnings_introduced: number;
  secrets_found: boolean;
  files_changed: string[];
  new_dependencies: string[];
  autodev_config_changed: string[];
  test_changes: string[];
}

/** One benchmark that regressed, as the policy input carries it (numbers rounded for the message). */
export interface PerfRegression {
  name: string;
  unit: string;
  base: number;
  head: number;
  ratio: number;
  ci: [number, number];
  max_regression_pct: number;
}

/**
 * Why a change may not merge itself. The code is the stable part (the metric label, what a custom
 * policy must answer with); the message is for humans.
 */
export const DENY_CODES = [
  'TESTS_FAILED',
  'TESTS_UNAVAILABLE',
  'LINT_INTRODUCED',
  'LINT_UNAVAILABLE',
  'SECRETS_FOUND',
  'HIGH_RISK_REVIEW',
  'MEDIUM_RISK_REVIEW',
  'DB_SCHEMA_CHANGE',
  'NEW_DEPENDENCY',
  'AUTODEV_CONFIG_CHANGED',
  'TESTS_CHANGED',
  'BASELINE_TESTS_MISSING',
  'CONSTRAINT_VIOLATED',
  'PERF_REGRESSION',
  /** A custom policy's own reason, stated as plain text (the seed's `deny[msg]`): the message says it. */
  'POLICY_DENY',
  'POLICY_FALLBACK',
] as const;
export type DenyCode = (typeof DENY_CODES)[number];

export interface Denial {
  code: DenyCode;
  message: string;
}

export interface PolicyDecision {
  /** Auto-merge allowed. */
  allow: boolean;
  /** Why not, one denial a reason. */
  deny: Denial[];
  /** The engine that decided: "local", or "opa:<package>". */
  engine: string;
  /** OPA was configured but could not decide: the local rules did, and nothing merges on it. */
  fallback?: boolean;
  /** Why the fallback happened (OPA unreachable, timed out, malformed or undefined answer). */
  reason?: string;
}

export interface PolicyEngine {
  readonly id: string;
  evaluate(input: PolicyInput, signal?: AbortSignal): Promise<PolicyDecision>;
}
