import { runStep } from '../step-runner.js';
import type { TaskContext } from '../task-context.js';

/**
 * Dependency installation, apart from build and test so that only it may get the network (by
 * config). Projects with nothing to install make this a no-op step.
 */
export async function setupPhase(ctx: TaskContext): Promise<void> {
  await runStep(ctx, { phase: 'setup', tool: 'setup', input: {} });
}
