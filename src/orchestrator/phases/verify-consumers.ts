import type { Phase } from '../../domain/task.js';
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
export async function verifyConsumers(ctx: TaskContext, round: number): Promise<ConsumerTests[]> {
  const phase: Phase = round === 1 ? 'verify' : 'repair';
  const results: ConsumerTests[] = [];
  for (const consumer of ctx.consumers ?? []) {
    const tests = await runStep<TestToolOutput>(ctx, {
      phase,
      tool: 'test',
      round,
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
