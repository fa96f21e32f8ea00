import type { Phase } from '../../domain/task.js';
import type { TestToolOutput } from '../../tools/test.js';
import { runStep } from '../step-runner.js';
import type { TaskContext } from '../task-context.js';

/** The tests of every detected project, in the sandbox without network. */
export async function verifyRound(ctx: TaskContext, round: number): Promise<TestToolOutput> {
  const phase: Phase = round === 1 ? 'verify' : 'repair';
  return runStep<TestToolOutput>(ctx, { phase, tool: 'test', round, input: {} });
}
