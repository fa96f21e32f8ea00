import { AutodevError } from '../errors.js';
import { updaterFor } from '../updates/index.js';
import { NO_REGISTRY_LOOKUPS } from '../updates/registry-access.js';
import type { DependencyUpdateTask } from '../store/dependency-update-repository.js';
import type { Change } from './phases/implement.js';
import { runStep } from './step-runner.js';
import type { TaskContext } from './task-context.js';

/** The dependency update group a task makes, or undefined for every other task. */
export function dependencyUpdateOf(ctx: TaskContext): Promise<DependencyUpdateTask | undefined> {
  return ctx.store.dependencyUpdates.byTask(ctx.task.id);
}

/**
 * Round 1 of an update task: the mechanical change (dependency_update), no model. Later rounds are
 * the coding model's repairs with the failing tests, as for any task, unless the group says
 * `repair = false`: then the change is delivered as it is, its failures listed for a person.
 */
export async function updateRound(
  ctx: TaskContext,
  update: DependencyUpdateTask,
  baseCommit: string,
): Promise<Change> {
  const [first] = update.updates;
  if (!first) throw new AutodevError('INTERNAL', `update task ${ctx.task.id} has no updates`);
  const out = await runStep<{ commit: string; files: string[] }>(ctx, {
    phase: 'implement',
    tool: 'dependency_update',
    input: {
      ecosystem: first.ecosystem,
      updates: update.updates,
      onto: baseCommit,
      message: `${ctx.task.title}\n\nAutodev-Task: ${ctx.task.id}`,
      // Fixed by the task: a re-run after a crash makes the very commit that may already be pushed.
      commit_date: ctx.task.created_at,
    },
  });
  // A Python virtualenv lives outside the workspace, out of the lock step's reach: the project's
  // setup, run again on the edited manifests, installs the new versions the tests must run against.
  if (updaterFor(first.ecosystem, NO_REGISTRY_LOOKUPS).installsWithSetup === true) {
    await runStep(ctx, { phase: 'implement', tool: 'setup', input: {} });
  }
  return { commit: out.commit, files: out.files };
}
