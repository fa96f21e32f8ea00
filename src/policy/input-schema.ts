import { z } from 'zod';
import { RISK_TIERS } from '../config/schema.js';
import type { PolicyInput } from './types.js';

// Bounds keep one input document small enough to send to OPA and store in the audit trail.
const names = z.array(z.string().max(4096)).max(10_000);
const count = z.number().int().min(0);
const testCounts = z.object({ passed: count, failed: count }).strict();

/**
 * The input document every policy engine decides on, as a schema: the policy tool validates with
 * it, and docs/policy-input.schema.json is generated from it for policy authors.
 */
export const policyInputSchema = z
  .object({
    risk_tier: z.enum(RISK_TIERS).describe('The task’s risk tier; only low risk may merge itself.'),
    tests_passed: z
      .boolean()
      .describe(
        'Compared with the baseline run: the tests the task is about pass and no test that passed before fails.',
      ),
    tests_unavailable: z
      .string()
      .max(4096)
      .optional()
      .describe('Why the tests could not run (build, vet or collection error): nothing verified the change.'),
    clippy_warnings: count
      .default(0)
      .describe('Lint warnings the change introduced (the seed’s name, for every language).'),
    secrets_found: z.boolean().default(false).describe('gitleaks found a secret in the change.'),
    lint_unavailable: names.optional().describe('Linters that could not run: the change is unchecked.'),
    files_changed: names.default([]).describe('Paths the change touched, relative to the repository.'),
    new_dependencies: names.default([]).describe('Names of dependencies the change added.'),
    autodev_config_changed: names.optional().describe('`.autodev.toml` files the change touched.'),
    test_changes: names.optional().describe('Tests, test configuration or test commands the change touched.'),
    baseline_failures_missing: names
      .optional()
      .describe('Tests that failed before the change and do not pass after it.'),
    dependency_changes: z
      .array(
        z
          .object({
            ecosystem: z.enum(['cargo', 'npm', 'python', 'go']),
            name: z.string().max(4096),
            change: z.enum(['added', 'removed', 'changed']),
            from: z.string().max(4096).optional(),
            to: z.string().max(4096).optional(),
            direct: z.boolean(),
            dev: z.boolean(),
            manifest: z.string().max(4096),
          })
          .strict(),
      )
      .max(100_000)
      .optional()
      .describe('Dependencies added, removed or changed, from the manifests and lockfiles.'),
    lint_warnings_introduced: count.optional().describe('Lint warnings the change introduced.'),
    lint_warnings_preexisting: count
      .optional()
      .describe('Lint warnings already in the changed files before the change (never a denial).'),
    tests_before: testCounts.optional().describe('Tests passed and failed before the change (baseline).'),
    tests_after: testCounts.optional().describe('Tests passed and failed after the change.'),
    perf_regressions: z
      .array(
        z
          .object({
            name: z.string().max(4096),
            unit: z.string().max(64),
            base: z.number().min(0),
            head: z.number().min(0),
            ratio: z.number().min(0),
            ci: z.tuple([z.number(), z.number()]),
            max_regression_pct: z.number().gt(0),
          })
          .strict(),
      )
      .max(10_000)
      .optional()
      .describe(
        'Benchmarks significantly slower after the change by more than max_regression_pct: medians, their ratio (head/base) and its 95% confidence interval.',
      ),
    constraints: z
      .array(
        z
          .object({
            text: z.string().max(4096),
            kind: z.enum(['no_new_dependencies', 'no_public_api_change', 'unchecked']),
            violated: z.boolean().optional(),
            details: names.optional(),
          })
          .strict(),
      )
      .max(1000)
      .optional()
      .describe('The task’s constraints; `violated` is set for those autodev could check.'),
    repos: z
      .array(
        z
          .object({
            repo: z.string().max(4096),
            role: z.literal('consumer'),
            tests_passed: z.boolean(),
            lint_warnings_introduced: count,
            secrets_found: z.boolean(),
            files_changed: names,
            new_dependencies: names,
            autodev_config_changed: names,
            test_changes: names,
          })
          .strict(),
      )
      .max(16)
      .optional()
      .describe(
        'A multi-repo task’s consumer repositories (the fields above are the library’s): each one’s tests built against the changed library, and its own checks.',
      ),
  })
  .strict();

// The schema and the PolicyInput interface must describe the same document: this fails to compile
// when a field is added to one and not the other.
type Parsed = z.output<typeof policyInputSchema>;
type Same<A, B> = [A] extends [B] ? ([B] extends [A] ? true : false) : false;
// Keys are compared too: two objects of optional fields are assignable to each other whatever their names.
export const schemaMatchesPolicyInput: Same<Parsed, PolicyInput> & Same<keyof Parsed, keyof PolicyInput> =
  true;

/** The JSON Schema of the input document, as committed in docs/policy-input.schema.json. */
export function policyInputJsonSchema(): Record<string, unknown> {
  // The document as a policy receives it: fields with defaults are always there.
  return z.toJSONSchema(policyInputSchema, { io: 'output' });
}
