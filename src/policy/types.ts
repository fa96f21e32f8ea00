import type { RiskTier } from '../config/schema.js';

/** The facts a merge decision is made on: the seed's OPA input document. */
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
  /** Why the suite could not run before the change (nor after): the change is unverified, for review. */
  tests_unavailable?: string;
}

export interface PolicyDecision {
  /** Auto-merge allowed. */
  allow: boolean;
  /** Why not, one reason a line. */
  deny: string[];
  /** The engine that decided: "local" or the OPA package. */
  engine: string;
}

export interface PolicyEngine {
  readonly id: string;
  evaluate(input: PolicyInput, signal?: AbortSignal): Promise<PolicyDecision>;
}
