import type { Phase } from '../../domain/task.js';
import type { RepoPolicyInput } from '../../policy/types.js';
import type { ConsumerWorkspace } from '../../multirepo/task-workspaces.js';
import { checkChange, verdictOf, type ChangeChecks } from './verify.js';
import type { TestToolOutput } from '../../tools/test.js';
import { runStep } from '../step-runner.js';
import type { TaskContext } from '../task-context.js';
import { inConsumer } from './prepare-consumers.js';

/** A consumer's tests of one round, built against the changed library. */
export interface ConsumerTests {
  name: string;
  tests: TestToolOutput;
}

/**
 * Each consumer of a multi-repo task tested built against the changed library (the test tool's
 * linked run), with its own base's commands and judged against its own baseline. Beside the
 * library's run, in the same phase row: the library first, then each consumer.
 */
export async function verifyConsumers(
  ctx: TaskContext,
  round: number,
  /** Where a review round or a base update runs them (`review.test@<name>#N`); else verify or repair. */
  at?: { phase: Phase; round: number },
): Promise<ConsumerTests[]> {
  const phase: Phase = at?.phase ?? (round === 1 ? 'verify' : 'repair');
  const results: ConsumerTests[] = [];
  for (const consumer of ctx.consumers ?? []) {
    const tests = await runStep<TestToolOutput>(ctx, {
      phase,
      tool: 'test',
      round: at?.round ?? round,
      repo: inConsumer(consumer),
      linkToLibrary: true,
      input: {
        config_commit: consumer.baseCommit,
        ...(consumer.baseline ? { baseline: consumer.baseline.reports } : {}),
      },
    });
    results.push({ name: consumer.name, tests });
  }
  return results;
}

/**
 * The round's verdict over every repository: the library's run as it is when every consumer passes;
 * else failing, each consumer's failures named with its repository and its feedback added for the
 * model's repair round.
 */
export function combineRepoTests(
  library: TestToolOutput,
  consumers: readonly ConsumerTests[],
): TestToolOutput {
  const failing = consumers.filter(
    (c) => (c.tests.comparison?.verdict ?? (c.tests.ok ? 'pass' : 'fail')) === 'fail',
  );
  if (failing.length === 0) return library;
  const named = (c: ConsumerTests, names: readonly string[]) => names.map((n) => `${c.name}: ${n}`);
  const base = library.comparison ?? {
    verdict: 'fail' as const,
    targets: [],
    targetsNotPassing: [],
    introduced: [],
    preexisting: [],
  };
  return {
    ...library,
    ok: false,
    summary: [library.summary, ...consumers.map((c) => `${c.name}: ${c.tests.summary}`)].join('\n'),
    feedback: [
      library.feedback,
      ...failing.map(
        (c) =>
          `In the consumer repository ${c.name} (built against the changed library):\n${c.tests.feedback}`,
      ),
    ]
      .filter((part) => part !== '')
      .join('\n\n'),
    comparison: {
      ...base,
      verdict: 'fail',
      introduced: [
        ...base.introduced,
        ...failing.flatMap((c) =>
          named(
            c,
            c.tests.comparison?.introduced ?? c.tests.reports.flatMap((r) => r.failures.map((f) => f.name)),
          ),
        ),
      ],
      targetsNotPassing: [
        ...base.targetsNotPassing,
        ...failing.flatMap((c) => named(c, c.tests.comparison?.targetsNotPassing ?? [])),
      ],
    },
  };
}

/** A consumer's part of the change: what it changed (nothing for one only built against the library). */
export interface ConsumerResult {
  consumer: ConsumerWorkspace;
  tests: TestToolOutput;
  filesChanged: string[];
  /** Its checks (lint, secrets, dependencies, constraints); absent when it has no change of its own. */
  checks?: ChangeChecks;
}

/**
 * The checks of each consumer the task changed, in its own worktree against its own base (its lint
 * judged against its own base's, taken at prepare; no benchmarks). A consumer the task left as it
 * was has nothing to check or push: it was only built against the library.
 */
export async function checkConsumers(
  ctx: TaskContext,
  tests: readonly ConsumerTests[],
  /** Where a review round or a base update checks them; the first run's verify when absent. */
  at: { phase: Phase; round?: number } = { phase: 'verify' },
): Promise<ConsumerResult[]> {
  const results: ConsumerResult[] = [];
  for (const consumer of ctx.consumers ?? []) {
    const own = tests.find((t) => t.name === consumer.name);
    if (!own) continue;
    if (consumer.head === undefined) {
      results.push({ consumer, tests: own.tests, filesChanged: [] });
      continue;
    }
    const filesChanged = await ctx.services.git.changedFiles(consumer.dir, consumer.baseCommit);
    const checks = await checkChange(ctx, consumer.baseCommit, filesChanged, consumer.lintBaseline, {
      ...at,
      repo: inConsumer(consumer),
    });
    results.push({ consumer, tests: own.tests, filesChanged, checks });
  }
  return results;
}

/** The consumers as the policy input carries them (`repos`). */
export function consumersForPolicy(results: readonly ConsumerResult[]): RepoPolicyInput[] {
  return results.map((r) => ({
    repo: r.consumer.repo.repo_normalized,
    role: 'consumer',
    tests_passed: verdictOf(r.tests) === 'pass',
    lint_warnings_introduced: r.checks?.lintWarnings.length ?? 0,
    secrets_found: (r.checks?.secrets.length ?? 0) > 0,
    files_changed: r.filesChanged,
    new_dependencies: r.checks?.dependencies.added ?? [],
    autodev_config_changed: r.checks?.sensitive.autodevConfig ?? [],
    test_changes: r.checks?.sensitive.tests ?? [],
  }));
}
