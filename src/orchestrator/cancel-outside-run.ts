import { isTerminal, type Task, type TaskError } from '../domain/task.js';
import type { Store } from '../store/index.js';

/** What a run records when a cancel aborts it (src/orchestrator/scheduler.ts, run-task.ts). */
const CANCELLED_BY_REQUEST: TaskError = { code: 'TASK_CANCELLED', message: 'task cancelled by request' };

/**
 * Ends a task whose cancel arrived while no run of it was going (an engine between runs: waiting for a
 * worker, or for a retry after its worker died) with the record a cancelled run leaves: status
 * `cancelled`, TASK_CANCELLED, and the status change in the audit trail. The change is conditional on
 * the status read, so a run that ended the task meanwhile keeps its own end. Resolves with the task
 * as it now stands and whether this call ended it.
 */
export async function recordCancelOutsideRun(
  store: Store,
  taskId: string,
): Promise<{ task: Task | undefined; ended: boolean }> {
  const task = await store.tasks.get(taskId);
  if (!task || isTerminal(task.status)) return { task, ended: false };
  const ended = await store.tasks.transition(taskId, task.status, 'cancelled', CANCELLED_BY_REQUEST);
  if (ended) {
    await store.events.append(taskId, 'task.status_changed', {
      from: task.status,
      to: 'cancelled',
      error: CANCELLED_BY_REQUEST,
    });
  }
  return { task: (await store.tasks.get(taskId)) ?? task, ended };
}
