import { AutodevError, toAutodevError } from '../errors.js';
import type { Task, TaskStatus } from '../domain/task.js';
import type { Logger } from '../logging/logger.js';
import { runTask } from '../orchestrator/run-task.js';
import type { StepBoundary, TaskContext } from '../orchestrator/task-context.js';

/** What every engine does around one run of a task: the same context and the same clean-up. */
export interface TaskRunHooks {
  /** Builds the task's context around the signal that cancels it. */
  createContext(task: Task, signals: { signal: AbortSignal; drain: AbortSignal }): TaskContext;
  /** Called after a run ended or stopped, with its final status (undefined when it stopped for shutdown). */
  onTaskDone(task: Task, status: TaskStatus | undefined): Promise<void>;
}

/** The runs of this process, by task id: what `runningIds` and `settled` answer from, under any engine. */
export interface LocalRuns {
  add(taskId: string, done: Promise<unknown>): void;
  ids(): string[];
  settled(taskId: string): Promise<void>;
}

export function createLocalRuns(): LocalRuns {
  const running = new Map<string, Promise<unknown>>();
  return {
    add(taskId, done) {
      const settled = done.then(
        () => undefined,
        () => undefined,
      );
      running.set(taskId, settled);
      void settled.then(() => {
        if (running.get(taskId) === settled) running.delete(taskId);
      });
    },
    ids: () => [...running.keys()],
    settled: async (taskId) => {
      await running.get(taskId);
    },
  };
}

export interface RunOnceOptions {
  hooks: TaskRunHooks;
  log: Logger;
  taskTimeoutMs: number;
  /** Aborts the run; its reason (an AutodevError) ends the task. */
  signal: AbortSignal;
  drain: AbortSignal;
  /** Runs around each step: the engine holds it until it may run (TaskContext.aroundStep). */
  aroundStep?: <T>(step: StepBoundary, run: () => Promise<T>) => Promise<T>;
}

/**
 * One run of a task outside the embedded scheduler (a Temporal activity): the deadline and the
 * clean-up the scheduler gives its runs. Throws SHUTTING_DOWN when the run stopped without an end
 * (its engine runs it again later, from its checkpoints).
 */
export async function runTaskOnce(task: Task, options: RunOnceOptions): Promise<TaskStatus> {
  const controller = new AbortController();
  const forward = () => controller.abort(options.signal.reason);
  if (options.signal.aborted) forward();
  else options.signal.addEventListener('abort', forward, { once: true });
  const deadline = setTimeout(
    () =>
      controller.abort(
        new AutodevError('TASK_TIMEOUT', `task exceeded its deadline of ${options.taskTimeoutMs / 1000}s`),
      ),
    options.taskTimeoutMs,
  );
  let status: TaskStatus | undefined;
  try {
    if (task.cancel_requested) {
      controller.abort(new AutodevError('TASK_CANCELLED', 'task cancelled by request'));
    }
    const ctx = options.hooks.createContext(task, { signal: controller.signal, drain: options.drain });
    if (options.aroundStep) ctx.aroundStep = options.aroundStep;
    status = await runTask(ctx);
    return status;
  } catch (error) {
    options.log.warn(
      { taskId: task.id, err: error },
      'task stopped before reaching an end; it resumes on the next attempt',
    );
    const reason = toAutodevError(error);
    throw reason.code === 'SHUTTING_DOWN'
      ? reason
      : new AutodevError('SHUTTING_DOWN', `task run stopped: ${reason.message}`, { cause: error });
  } finally {
    clearTimeout(deadline);
    options.signal.removeEventListener('abort', forward);
    await options.hooks.onTaskDone(task, status).catch(() => undefined);
  }
}
