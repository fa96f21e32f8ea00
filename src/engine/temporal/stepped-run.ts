import { randomUUID } from 'node:crypto';
import { AutodevError, toAutodevError } from '../../errors.js';
import type { Task } from '../../domain/task.js';
import type { Logger } from '../../logging/logger.js';
import type { StepBoundary } from '../../orchestrator/task-context.js';
import { runTaskOnce, type TaskRunHooks } from '../task-run.js';
import type { RunProgress, StepCall } from './workflow-types.js';

/**
 * A task run on this worker whose steps wait until their activities let them run: the orchestrator's
 * run-task stays one function, its state (plan, workspace, change) in this process's memory between
 * the activities; the worker-specific queue sends every activity of the task here.
 */
export interface SteppedRun {
  readonly id: string;
  readonly taskId: string;
  /** Settles when the run is over (whatever its end). */
  readonly done: Promise<unknown>;
  /** Lets the waiting step `seq` run: false when no step of this run waits with that seq. */
  release(call: { runId: string; seq: number }): boolean;
  /**
   * Where the run stands once the steps of `batch` (seqs) ended, no step runs and some wait (the next
   * ones), or the run ended; rejects with what stopped it.
   */
  progress(batch: readonly number[]): Promise<RunProgress>;
  /** Aborts the run: the steps running (and those waiting) end with `reason`. */
  abort(reason: AutodevError): void;
  /** Resolves once step `seq` of this run ended (or the run did). */
  stepEnded(seq: number): Promise<void>;
}

export interface SteppedRunOptions {
  hooks: TaskRunHooks;
  log: Logger;
  taskTimeoutMs: number;
  drain: AbortSignal;
  /** A run left waiting this long (its workflow went to another worker, or ended) is given up. */
  idleMs: number;
  /** How often the run looks at the store's cancel flag (and, waiting, at its idle time). */
  checkEveryMs: number;
  isCancelRequested(taskId: string): Promise<boolean>;
}

type End = { kind: 'ended'; status: string } | { kind: 'failed'; error: AutodevError };

export function startSteppedRun(task: Task, options: SteppedRunOptions): SteppedRun {
  const id = randomUUID();
  const controller = new AbortController();
  const waiting = new Map<number, { call: StepCall; release: () => void }>();
  const running = new Set<number>();
  const finished = new Set<number>();
  let end: End | undefined;
  let seq = 0;
  let idleSince = Date.now();
  let listeners: (() => void)[] = [];
  const changed = () => {
    idleSince = Date.now();
    const woken = listeners;
    listeners = [];
    for (const wake of woken) wake();
  };

  /** Holds the step until its activity releases it, and records when it ended. */
  const aroundStep = async <T>(step: StepBoundary, body: () => Promise<T>): Promise<T> => {
    seq += 1;
    const mine = seq;
    await new Promise<void>((resolve, reject) => {
      const stop = (reason: unknown) => {
        cleanup();
        reject(reason instanceof Error ? reason : toAutodevError(reason));
      };
      const onAbort = () => stop(controller.signal.reason);
      const onDrain = () =>
        stop(new AutodevError('SHUTTING_DOWN', `worker draining before step ${step.key}`));
      const cleanup = () => {
        waiting.delete(mine);
        controller.signal.removeEventListener('abort', onAbort);
        options.drain.removeEventListener('abort', onDrain);
      };
      if (controller.signal.aborted) return onAbort();
      if (options.drain.aborted) return onDrain();
      controller.signal.addEventListener('abort', onAbort, { once: true });
      options.drain.addEventListener('abort', onDrain, { once: true });
      waiting.set(mine, {
        call: { runId: id, seq: mine, ...step },
        release: () => {
          cleanup();
          running.add(mine);
          resolve();
        },
      });
      // Steps started side by side reach here in the same turn: report them together, a turn later.
      setImmediate(changed);
    });
    try {
      return await body();
    } finally {
      running.delete(mine);
      finished.add(mine);
      changed();
    }
  };

  // A cancel that reached only the store ends the run, as the embedded engine's heartbeat does; a
  // run left waiting with no activity for `idleMs` is given up (its checkpoints stay).
  const watch = setInterval(() => {
    if (running.size === 0 && waiting.size > 0 && Date.now() - idleSince > options.idleMs) {
      controller.abort(new AutodevError('SHUTTING_DOWN', 'no activity came for the next step: run given up'));
      return;
    }
    void options
      .isCancelRequested(task.id)
      .then((requested) => {
        if (requested) controller.abort(new AutodevError('TASK_CANCELLED', 'task cancelled by request'));
      })
      .catch(() => undefined);
  }, options.checkEveryMs);

  const done = runTaskOnce(task, {
    hooks: options.hooks,
    log: options.log,
    taskTimeoutMs: options.taskTimeoutMs,
    signal: controller.signal,
    drain: options.drain,
    aroundStep,
  })
    .then(
      (status) => {
        end = { kind: 'ended', status };
      },
      (error: unknown) => {
        end = { kind: 'failed', error: toAutodevError(error) };
      },
    )
    .finally(() => {
      clearInterval(watch);
      changed();
    });

  const settled = (batch: readonly number[]) =>
    end !== undefined || (batch.every((s) => finished.has(s)) && running.size === 0 && waiting.size > 0);

  return {
    id,
    taskId: task.id,
    done,
    release(call) {
      const entry = call.runId === id ? waiting.get(call.seq) : undefined;
      if (!entry) return false;
      entry.release();
      return true;
    },
    async progress(batch) {
      // Steps of the batch this run never held (another run's, or not reached yet) are not waited for.
      const mine = batch.filter((s) => s <= seq);
      while (!settled(mine)) await new Promise<void>((wake) => listeners.push(wake));
      if (end?.kind === 'ended') return { status: end.status };
      if (end?.kind === 'failed') throw end.error;
      return { next: [...waiting.values()].map((w) => w.call).sort((a, b) => a.seq - b.seq) };
    },
    abort: (reason) => controller.abort(reason),
    async stepEnded(step) {
      while (!finished.has(step) && end === undefined)
        await new Promise<void>((wake) => listeners.push(wake));
    },
  };
}
