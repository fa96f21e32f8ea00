import type { Task, TaskError, TaskStatus } from '../domain/task.js';
import type { TaskContext } from './task-context.js';

/** Moves the task to `status`, recording the change in the audit trail. */
export async function setStatus(ctx: TaskContext, status: TaskStatus, error?: TaskError): Promise<Task> {
  const from = ctx.task.status;
  const patch: Parameters<TaskContext['store']['tasks']['update']>[1] = { status };
  if (error) patch.error = error;
  if (status === 'planning' && !ctx.task.started_at) patch.started_at = new Date().toISOString();
  ctx.task = await ctx.store.tasks.update(ctx.task.id, patch);
  if (from !== status) {
    await ctx.store.events.append(ctx.task.id, 'task.status_changed', {
      from,
      to: status,
      ...(error ? { error } : {}),
    });
  }
  return ctx.task;
}
