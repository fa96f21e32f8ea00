import type { Phase } from '../../domain/task.js';
import { AutodevError } from '../../errors.js';
import { baselineFailuresNotPassing } from '../../policy/baseline-tests.js';
import type { PerfRegression, PolicyDecision, PolicyInput } from '../../policy/types.js';
import type { TestToolOutput } from '../../tools/test.js';
import { verdictOf, type ChangeChecks } from './verify.js';
import { runStep } from '../step-runner.js';
import { consumersForPolicy, type ConsumerResult } from './verify-consumers.js';
import type { TaskContext } from '../task-context.js';

function testCounts(run: TestToolOutput): { passed: number; failed: number } {
  return run.reports.reduce((sum, r) => ({ passed: sum.passed + r.passed, failed: sum.failed + r.failed }), {
    passed: 0,
    failed: 0,
  });
}

/**
 * Asks the policy layer (the `policy` tool: OPA or the local rules, as configured) whether the
 * change may merge itself; every decision lands in the audit trail and the denials metric. A change
 * carrying a secret ends the task here, whatever the engine said: it is never pushed.
 */
export async function decidePhase(
  ctx: TaskContext,
  facts: {
    tests: TestToolOutput;
    /** The test run before any change (prepare): its failures must pass now. */
    baseline: TestToolOutput;
    filesChanged: string[];
    checks: ChangeChecks;
    /** A multi-repo task's consumers: their tests and checks go to the policy as `repos`. */
    consumers?: readonly ConsumerResult[];
  },
  /** Where the decision is made; a review round gives its own so it decides anew. */
  at: { phase: Phase; round?: number } = { phase: 'decide' },
): Promise<PolicyDecision> {
  const baselineMissing = baselineFailuresNotPassing(facts.baseline.reports, facts.tests.reports);
  const input: PolicyInput = {
    risk_tier: ctx.task.risk_tier,
    // Passed against the baseline: pre-existing failures do not count (languages/test-comparison.ts).
    tests_passed: verdictOf(facts.tests) === 'pass',
    ...(facts.tests.comparison?.verdict === 'unavailable'
      ? { tests_unavailable: facts.tests.comparison.unavailable ?? 'the tests could not run' }
      : {}),
    clippy_warnings: facts.checks.lintWarnings.length,
    lint_warnings_introduced: facts.checks.lintWarnings.length,
    lint_warnings_preexisting: facts.checks.lintPreexisting.length,
    lint_unavailable: facts.checks.lintUnavailable,
    secrets_found: facts.checks.secrets.length > 0,
    files_changed: facts.filesChanged,
    new_dependencies: facts.checks.dependencies.added,
    dependency_changes: facts.checks.dependencies.changes,
    autodev_config_changed: facts.checks.sensitive.autodevConfig,
    test_changes: facts.checks.sensitive.tests,
    baseline_failures_missing: baselineMissing,
    tests_before: testCounts(facts.baseline),
    tests_after: testCounts(facts.tests),
    constraints: facts.checks.constraints,
    ...(facts.checks.perf.regressions.length > 0 ? { perf_regressions: perfRegressions(facts.checks) } : {}),
    ...(facts.consumers ? { repos: consumersForPolicy(facts.consumers) } : {}),
  };
  const decided = await runStep<PolicyDecision>(ctx, { ...at, tool: 'policy', input });
  // A secret in any repository of the task stops all of them: nothing of the task is pushed.
  const secrets = [
    ...facts.checks.secrets,
    ...(facts.consumers ?? []).flatMap((c) =>
      (c.checks?.secrets ?? []).map((f) => ({ ...f, file: `${c.consumer.name}/${f.file}` })),
    ),
  ];
  const decision = withSecretsDenied(decided, { secrets });
  await ctx.store.events.append(ctx.task.id, 'policy.decision', {
    ...decision,
    lint_warnings: facts.checks.lintWarnings.slice(0, 50),
    lint_warnings_preexisting: facts.checks.lintPreexisting.length,
    checks_touched: {
      autodev_config: facts.checks.sensitive.autodevConfig,
      tests: facts.checks.sensitive.tests,
    },
    baseline_failures_missing: baselineMissing,
    ...(input.perf_regressions ? { perf_regressions: input.perf_regressions } : {}),
    dependency_changes: facts.checks.dependencies.changes.slice(0, 50),
    tests_preexisting: facts.tests.comparison?.preexisting ?? [],
    ...(facts.tests.comparison?.unavailable ? { tests_unavailable: facts.tests.comparison.unavailable } : {}),
  });
  // The code, not the message, is the label: one series per code, however the messages read.
  for (const code of new Set(decision.deny.map((d) => d.code))) {
    ctx.metrics.policyDenialsTotal.inc({ reason: code });
  }
  if (secrets.length > 0) {
    const where = secrets.map((f) => `${f.rule} in ${f.file}:${f.line}`).join(', ');
    throw new AutodevError(
      'POLICY_DENIED',
      `policy denied SECRETS_FOUND: secrets detected in the change, so it was not pushed: ${where}`,
      { details: { code: 'SECRETS_FOUND', findings: secrets } },
    );
  }
  return decision;
}

/** The regressed benchmarks with their numbers rounded: what the denial message shows. */
function perfRegressions(checks: ChangeChecks): PerfRegression[] {
  const pct = checks.perf.max_regression_pct;
  const figure = (n: number) => Number(n.toPrecision(4));
  const ratio = (n: number) => Number(n.toFixed(3));
  return checks.perf.comparisons
    .filter((c) => c.regression)
    .map((c) => ({
      name: c.name,
      unit: c.unit,
      base: figure(c.base),
      head: figure(c.head),
      ratio: ratio(c.ratio),
      ci: [ratio(c.ci[0]), ratio(c.ci[1])],
      max_regression_pct: pct,
    }));
}

/**
 * A secret is denied whatever the engine answered: a custom OPA policy that forgets the rule must
 * not let a secret through, so SECRETS_FOUND is added when the engine left it out.
 */
function withSecretsDenied(decision: PolicyDecision, checks: Pick<ChangeChecks, 'secrets'>): PolicyDecision {
  if (checks.secrets.length === 0 || decision.deny.some((d) => d.code === 'SECRETS_FOUND')) return decision;
  return {
    ...decision,
    allow: false,
    deny: [...decision.deny, { code: 'SECRETS_FOUND', message: 'Secrets detected in changes' }],
  };
}
