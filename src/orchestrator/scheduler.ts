import { AutodevError } from '../errors.js';
import type { Task, TaskStatus } from '../domain/task.js';
import type { Logger } from '../logging/logger.js';
import { newLeaseOwner } from './lease-owner.js';
import { runTask } from './run-task.js';
import type { TaskContext } from './task-context.js';

export interface SchedulerOptions {
  maxParallel: number;
  /** A lease not renewed for this long marks its owner dead and the task claimable again. */
  leaseMs: number;
  pollMs: number;
  taskTimeoutMs: number;
  log: Logger;
  claim(owner: string, excludeIds: readonly string[]): Promise<Task | undefined>;
  renewLease(taskId: string, owner: string): Promise<boolean>;
  releaseLease(taskId: string, owner: string): Promise<void>;
  isCancelRequested(taskId: string): Promise<boolean>;
  /** Builds the task's context around the signal that cancels it. */
  createContext(task: Task, signals: { signal: AbortSignal; drain: AbortSignal }): TaskContext;
  /** Called after a task ended or stopped, with its final status (undefined when it stopped for shutdown). */
  onTaskDone?(task: Task, status: TaskStatus | undefined): Promise<void>;
}

export interface Scheduler {
  readonly owner: string;
  start(): void;
  /** Wakes the loop (a task was submitted). */
  poke(): void;
  /** Aborts a running task of this process; false when it does not run here. */
  cancel(taskId: string): boolean;
  runningIds(): string[];
  /** Resolves once the task's run here (and its onTaskDone) is over; at once when it does not run here. */
  settled(taskId: string): Promise<void>;
  /** Stops taking work, aborts running tasks at their next checkpoint, waits up to `graceMs`. */
  stop(graceMs: number): Promise<void>;
}

interface Running {
  controller: AbortController;
  drain: AbortController;
  done: Promise<void>;
}

/**
 * Claims tasks from the store up to max_parallel_tasks, keeps their leases alive, and turns cancel
 * requests, deadlines and shutdown into aborts. Several processes may run one each against the same
 * store: the lease in the store decides who runs a task.
 */
export function createScheduler(options: SchedulerOptions): Scheduler {
  const owner = newLeaseOwner();
  const running = new Map<string, Running>();
  let stopping = false;
  // Until start() the loop does not run: a submit (poke) must not claim work before start-up has
  // taken over dead leases and swept workspaces, nor in a runtime that is never started.
  let started = false;
  let timer: NodeJS.Timeout | undefined;
  let ticking = false;
  let again = false;

  const launch = (task: Task) => {
    const controller = new AbortController();
    const drain = new AbortController();
    const deadline = setTimeout(
      () =>
        controller.abort(
          new AutodevError('TASK_TIMEOUT', `task exceeded its deadline of ${options.taskTimeoutMs / 1000}s`),
        ),
      options.taskTimeoutMs,
    );
    const heartbeat = setInterval(
      () => {
        void (async () => {
          const kept = await options.renewLease(task.id, owner).catch(() => false);
          if (!kept) controller.abort(new AutodevError('SHUTTING_DOWN', 'lease lost to another worker'));
          else if (await options.isCancelRequested(task.id).catch(() => false)) {
            controller.abort(new AutodevError('TASK_CANCELLED', 'task cancelled by request'));
          }
        })();
      },
      Math.max(200, Math.floor(options.leaseMs / 3)),
    );
    const done = (async () => {
      let status: TaskStatus | undefined;
      try {
        if (task.cancel_requested)
          controller.abort(new AutodevError('TASK_CANCELLED', 'task cancelled by request'));
        const ctx = options.createContext(task, { signal: controller.signal, drain: drain.signal });
        status = await runTask(ctx);
      } catch (error) {
        options.log.warn(
          { taskId: task.id, err: error },
          'task stopped before reaching an end; it resumes on the next start',
        );
      } finally {
        clearTimeout(deadline);
        clearInterval(heartbeat);
        await options.releaseLease(task.id, owner).catch(() => undefined);
        await options.onTaskDone?.(task, status).catch(() => undefined);
        // Only now claimable here again: a review round requested the moment the task reached
        // awaiting_review must not start while onTaskDone is still releasing its worktree.
        running.delete(task.id);
        schedule(0);
      }
    })();
    running.set(task.id, { controller, drain, done });
  };

  const tick = async () => {
    if (ticking) {
      again = true;
      return;
    }
    ticking = true;
    try {
      do {
        again = false;
        while (!stopping && running.size < options.maxParallel) {
          const task = await options.claim(owner, [...running.keys()]);
          if (!task) break;
          launch(task);
        }
      } while (again && !stopping);
    } catch (error) {
      options.log.error({ err: error }, 'scheduler could not claim work');
    } finally {
      ticking = false;
    }
  };

  const schedule = (delayMs: number) => {
    if (stopping) return;
    if (timer) clearTimeout(timer);
    timer = setTimeout(() => {
      timer = undefined;
      void tick().finally(() => schedule(options.pollMs));
    }, delayMs);
  };

  return {
    owner,
    start: () => {
      started = true;
      schedule(0);
    },
    poke: () => {
      if (started) schedule(0);
    },
    cancel(taskId) {
      const entry = running.get(taskId);
      if (!entry) return false;
      entry.controller.abort(new AutodevError('TASK_CANCELLED', 'task cancelled by request'));
      return true;
    },
    runningIds: () => [...running.keys()],
    settled: async (taskId) => {
      await running.get(taskId)?.done;
    },
    async stop(graceMs) {
      stopping = true;
      if (timer) clearTimeout(timer);
      const all = [...running.values()];
      const settled = Promise.allSettled(all.map((e) => e.done));
      const wait = (ms: number) =>
        Promise.race([settled, new Promise((resolve) => setTimeout(resolve, ms).unref())]);
      // First let each running step reach its checkpoint; then abort what still runs.
      for (const entry of all) entry.drain.abort();
      await wait(graceMs);
      for (const entry of all)
        entry.controller.abort(new AutodevError('SHUTTING_DOWN', 'server shutting down'));
      await wait(5_000);
    },
  };
}
