import type { Phase } from '../../domain/task.js';
import { AutodevError } from '../../errors.js';
import type { LintReport, LintWarning } from '../../languages/types.js';
import { classifyConstraint, type ConstraintCheck } from '../../policy/constraints.js';
import { classifyChanges, type SensitiveChanges } from '../../policy/sensitive-changes.js';
import type { SecretFinding } from '../../secrets/gitleaks.js';
import type { BenchToolOutput } from '../../tools/bench.js';
import type { CheckDepsOutput } from '../../tools/check-deps.js';
import type { LintToolOutput } from '../../tools/lint-tools.js';
import type { TestToolOutput } from '../../tools/test.js';
import { acceptanceChecks } from '../../planner/plan-checks.js';
import { runStep, type StepRequest } from '../step-runner.js';
import type { TaskContext } from '../task-context.js';

/**
 * The tests of every detected project, in the sandbox without network, with the commands of the
 * base commit's `.autodev.toml`: the change's own copy never picks the command that judges it.
 */
export async function verifyRound(
  ctx: TaskContext,
  round: number,
  baseCommit: string,
  baseline: TestToolOutput,
): Promise<TestToolOutput> {
  const phase: Phase = round === 1 ? 'verify' : 'repair';
  // Judged against the baseline (languages/test-comparison.ts): the step's output says which
  // failures are the change's own, which were there before, and whether the suite could run at all.
  return runStep<TestToolOutput>(ctx, {
    phase,
    tool: 'test',
    round,
    input: { config_commit: baseCommit, baseline: baseline.reports, acceptance: acceptanceChecks(ctx.task) },
  });
}

/** The comparison's verdict; a run checkpointed without one (an older task resumed) by its exit alone. */
export function verdictOf(tests: TestToolOutput): 'pass' | 'fail' | 'unavailable' {
  return tests.comparison?.verdict ?? (tests.ok ? 'pass' : 'fail');
}

/**
 * Why the change failed verification, naming the tests: those it broke and those the task is about
 * that still fail. Pre-existing failures are not in it.
 */
export function testsStillFailing(tests: TestToolOutput, rounds: number): AutodevError {
  const c = tests.comparison;
  const names = c
    ? [...c.introduced, ...c.targetsNotPassing]
    : tests.reports.flatMap((r) => r.failures.map((f) => f.name));
  const preexisting = c?.preexisting.length ? `; pre-existing, not counted: ${c.preexisting.join(', ')}` : '';
  return new AutodevError(
    'TESTS_STILL_FAILING',
    `verify: tests still failing after ${rounds} round(s): ${names.join(', ') || 'the run'}${preexisting} (${tests.summary.replace(/\n/g, '; ')})`,
    { details: { failing: names, preexisting: c?.preexisting ?? [] } },
  );
}

export interface ChangeChecks {
  /**
   * Lint warnings the change introduced: not there at baseline (matched by file, rule and message),
   * plus its edits to linter configuration. Without a baseline, every warning in the changed files.
   */
  lintWarnings: LintWarning[];
  /** Warnings in the changed files that were there before the change: shown, not held against it. */
  lintPreexisting: LintWarning[];
  lintUnavailable: string[];
  secrets: SecretFinding[];
  /** What the change did to autodev's configuration and to the tests: flagged, for review. */
  sensitive: SensitiveChanges;
  /** What the change did to the dependency manifests and lockfiles (check_deps). */
  dependencies: CheckDepsOutput;
  /** The task's constraints, each classified and, when autodev can, checked (check_constraints). */
  constraints: ConstraintCheck[];
  /** The repo's benchmarks on base and change (bench): regressions are for policy, the table for the PR. */
  perf: BenchToolOutput;
}

/**
 * Static analysis and the secrets scan of the tested change. A secret found is a policy denial
 * (SECRETS_FOUND): the decide phase records it and ends the task there, so nothing that carries one
 * is ever pushed.
 */
export async function checkChange(
  ctx: TaskContext,
  baseCommit: string,
  filesChanged: string[],
  lintBaseline: LintReport[] | undefined,
  /**
   * Where the checks run; a review round gives its own, so its steps are not the first run's
   * checkpoints. With `repo`, a multi-repo task's consumer: its worktree, and no benchmark run.
   */
  at: { phase: Phase; round?: number; repo?: StepRequest['repo'] } = { phase: 'verify' },
  /** Runs after the checks and before the benchmarks: a multi-repo task's consumers' checks. */
  beforeBench?: () => Promise<void>,
): Promise<ChangeChecks> {
  const dir = at.repo?.dir ?? ctx.workspaceDir;
  // The checks read the tested commit from git's objects only (never the work tree), so they run side
  // by side: the lint in the sandbox while gitleaks, the dependency and constraint checks run on the
  // host. Started in table order, so the phase cursor sees them in order; check_constraints follows
  // check_deps only when a constraint needs its added dependencies. Every check is awaited before any failure is
  // reported: none is left running when the task ends.
  const lintRun = runStep<LintToolOutput>(ctx, {
    ...at,
    tool: 'lint',
    input: {
      config_commit: baseCommit,
      files: filesChanged,
      ...(lintBaseline ? { baseline: lintBaseline } : {}),
    },
  });
  const scanRun = runStep<{ findings: SecretFinding[] }>(ctx, {
    ...at,
    tool: 'secrets_scan',
    input: { base_commit: baseCommit },
  });
  const dependenciesRun = runStep<CheckDepsOutput>(ctx, {
    ...at,
    tool: 'check_deps',
    input: { base_commit: baseCommit },
  });
  const checkConstraints = (added: string[] | undefined) =>
    runStep<{ constraints: ConstraintCheck[] }>(ctx, {
      ...at,
      tool: 'check_constraints',
      input: {
        base_commit: baseCommit,
        constraints: ctx.task.constraints,
        ...(added ? { added_dependencies: added } : {}),
      },
    });
  // Only a "no new dependencies" constraint needs what check_deps found added: without one,
  // check_constraints starts beside it, and the checks' wall time is the longest of them.
  const constraintsRun = ctx.task.constraints.some(
    (text) => classifyConstraint(text) === 'no_new_dependencies',
  )
    ? dependenciesRun.then((dependencies) => checkConstraints(dependencies.added))
    : checkConstraints(undefined);
  const sensitiveRun = classifyChanges(filesChanged, (side, file) =>
    ctx.services.git.fileAt(dir, side === 'base' ? baseCommit : 'HEAD', file),
  );
  const [lint, scan, dependencies, constraintsOut, sensitive] = await allOrFirstError([
    lintRun,
    scanRun,
    dependenciesRun,
    constraintsRun,
    sensitiveRun,
  ] as const);
  const { constraints } = constraintsOut;
  if (sensitive.autodevConfig.length > 0 || sensitive.tests.length > 0) {
    await ctx.store.events.append(ctx.task.id, 'change.checks_touched', {
      autodev_config: sensitive.autodevConfig,
      tests: sensitive.tests,
    });
  }
  await beforeBench?.();
  // Last and alone: the slowest check, and pointless for a change the checks above already stopped;
  // benchmarks beside other work would measure the noise.
  const perf = at.repo
    ? notBenchmarked()
    : await runStep<BenchToolOutput>(ctx, {
        ...at,
        tool: 'bench',
        input: { base_commit: baseCommit },
      });
  return {
    lintWarnings: lint.introduced,
    lintPreexisting: lint.preexisting,
    lintUnavailable: lint.unavailable,
    secrets: scan.findings,
    sensitive,
    dependencies,
    constraints,
    perf,
  };
}

/** A consumer's checks run no benchmarks (only the library's are compared): nothing measured. */
function notBenchmarked(): BenchToolOutput {
  return {
    configured: false,
    rounds: 0,
    max_regression_pct: 0,
    seed: 0,
    comparisons: [],
    regressions: [],
    base_only: [],
    head_only: [],
    duration_ms: 0,
  };
}

/**
 * Like Promise.all, but waits for every promise to settle before throwing: a failed check does not
 * end the task while the others still run. The first failure in the given (table) order is thrown.
 */
async function allOrFirstError<T extends readonly unknown[]>(promises: {
  [K in keyof T]: Promise<T[K]>;
}): Promise<T> {
  const settled = await Promise.allSettled(promises);
  const failed = settled.find((s): s is PromiseRejectedResult => s.status === 'rejected');
  if (failed) throw failed.reason;
  return settled.map((s) => (s as PromiseFulfilledResult<unknown>).value) as unknown as T;
}
