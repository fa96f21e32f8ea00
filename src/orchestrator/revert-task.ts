import { AutodevError } from '../errors.js';
import { currentBaseOf } from './base-update.js';
import type { Change } from './phases/implement.js';
import { runStep } from './step-runner.js';
import type { TaskContext } from './task-context.js';

/** The branch of the revert of task `revertedId`: one per reverted task, named after it. */
export function revertBranchName(revertedId: string): string {
  return `autodev/revert-${revertedId}`;
}

/**
 * A fast-forwarded change is its commits since the base they were made on: the base the task last
 * replayed them onto (delivery's rebase, or an update while it waited for review), else the one it
 * started from. Never older, or the revert would undo other people's commits as well. (A squash or
 * merge commit is undone alone: no `since`.)
 */
function changeBase(ctx: TaskContext, taskId: string): Promise<string | undefined> {
  return currentBaseOf(ctx.store, taskId);
}

/**
 * The change of a revert task: instead of the model's edit, `git revert` of the reverted task's merge
 * on the base as it is now. A revert has nothing to repair: a second round ends the loop
 * (EDIT_ALREADY_APPLIED) and the failing tests end the task, as for any change.
 */
export async function revertRound(ctx: TaskContext, round: number, baseCommit: string): Promise<Change> {
  if (round > 1) throw new AutodevError('EDIT_ALREADY_APPLIED', 'a revert is not repaired');
  const revertedId = ctx.task.reverts_task_id;
  if (!revertedId) throw new AutodevError('INTERNAL', `task ${ctx.task.id} reverts no task`);
  const reverted = await ctx.store.tasks.get(revertedId);
  const pr = await ctx.store.pullRequests.getByTask(revertedId);
  if (!reverted || pr?.status !== 'merged' || !pr.merge_commit) {
    throw new AutodevError('TASK_NOT_REVERTIBLE', `task ${revertedId} has no recorded merge to revert`);
  }
  const since = pr.merge_commit === pr.head_commit ? await changeBase(ctx, revertedId) : undefined;
  return runStep<Change>(ctx, {
    phase: 'implement',
    tool: 'git_revert',
    input: {
      commit: pr.merge_commit,
      ...(since ? { since } : {}),
      onto: baseCommit,
      message: `${ctx.task.title}\n\nThis reverts the merge ${pr.merge_commit} of autodev task ${revertedId}.`,
      // Fixed by the task: a re-run after a crash makes the very commit that may already be pushed.
      commit_date: ctx.task.created_at,
    },
  });
}
