import { Context } from '@temporalio/activity';
import { ApplicationFailure } from '@temporalio/common';
import { AutodevError, toAutodevError } from '../../errors.js';
import { isTerminal, PHASES } from '../../domain/task.js';
import type { Logger } from '../../logging/logger.js';
import { recordCancelOutsideRun } from '../../orchestrator/cancel-outside-run.js';
import type { Store } from '../../store/index.js';
import { PHASE_TABLE } from '../../orchestrator/phase-table.js';
import { runTaskOnce, type LocalRuns, type TaskRunHooks } from '../task-run.js';
import { startSteppedRun, type SteppedRun } from './stepped-run.js';
import {
  WORKER_BUSY,
  stepActivityName,
  type RunProgress,
  type StepActivities,
  type StepActivityInput,
  type TaskActivities,
} from './workflow-types.js';

export interface TaskActivityDeps {
  store: Store;
  log: Logger;
  hooks: TaskRunHooks;
  runs: LocalRuns;
  taskTimeoutMs: number;
  /** How often the run heartbeats (and so how soon a cancel reaches it). */
  heartbeatMs: number;
  /** Aborts when the worker drains (SIGTERM): the running step finishes, no new one starts. */
  drain: AbortSignal;
  /** This worker's own task queue, where the runs of the tasks it claims go. */
  ownTaskQueue: string;
  /** max_parallel_tasks: a worker running (or promised) this many refuses more claims. */
  maxParallelTasks: number;
  /** How long a step may run on this worker before it fails with STEP_TIMEOUT (stepTimeoutSecs less the margin). */
  stepDeadlineMs: number;
  /** A run waiting this long for its next step's activity is given up (its checkpoints stay). */
  idleRunMs: number;
}

/** A claim holds a slot this long for a run that has not started (its workflow may have gone away). */
const CLAIM_HOLD_MS = 30_000;

/**
 * Why Temporal cancelled an activity: it does so on a cancel request and on worker shutdown alike,
 * and the store's cancel flag says which it was (shutdown when the store cannot be read).
 */
async function cancelReason(store: Store, taskId: string): Promise<AutodevError> {
  const requested = await store.tasks
    .get(taskId)
    .then((t) => t?.cancel_requested ?? false)
    .catch(() => false);
  return requested
    ? new AutodevError('TASK_CANCELLED', 'task cancelled by request')
    : new AutodevError('SHUTTING_DOWN', 'worker shutting down');
}

/**
 * The worker's side of the task workflow: one run of the task through the same orchestrator the
 * embedded engine runs, with Temporal's cancellation as the run's AbortSignal.
 */
export function createTaskActivities(deps: TaskActivityDeps): TaskActivities & StepActivities {
  /** Tasks claimed whose run has not started here yet, with when their hold lapses. */
  const claimed = new Map<string, number>();
  const slotsTaken = () => {
    const now = Date.now();
    for (const [taskId, until] of claimed) if (until <= now) claimed.delete(taskId);
    const running = deps.runs.ids();
    return running.length + [...claimed.keys()].filter((id) => !running.includes(id)).length;
  };
  /** The step-by-step runs of this worker, by task id (the worker-specific queue brings their steps here). */
  const stepped = new Map<string, SteppedRun>();

  /** A new run of the task from its checkpoints; the task's status when it has nothing to run. */
  const startFresh = async (taskId: string): Promise<SteppedRun | string> => {
    const stored = await deps.store.tasks.get(taskId);
    if (!stored) throw ApplicationFailure.nonRetryable(`no task with id ${taskId}`, 'TASK_NOT_FOUND');
    if (isTerminal(stored.status)) return stored.status;
    // A cancel that arrived while no run was going (its worker died) ends the task here, before any
    // step: a run started anew would first run steps (a test command) until it noticed the flag.
    if (stored.cancel_requested) {
      const { task, ended } = await recordCancelOutsideRun(deps.store, taskId);
      if (ended && task) await deps.hooks.onTaskDone(task, 'cancelled').catch(() => undefined);
      return task?.status ?? 'cancelled';
    }
    // Counted in the store as the embedded engine's claim counts it: a task already under way resumes
    // (run-task records task.resumed with the attempt), and GET /tasks/{id} shows how many runs it took.
    const task = (await deps.store.tasks.countAttempt(taskId)) ?? stored;
    const run = startSteppedRun(task, {
      hooks: deps.hooks,
      log: deps.log,
      taskTimeoutMs: deps.taskTimeoutMs,
      drain: deps.drain,
      idleMs: deps.idleRunMs,
      checkEveryMs: deps.heartbeatMs,
      isCancelRequested: async (id) => (await deps.store.tasks.get(id))?.cancel_requested ?? false,
    });
    stepped.set(taskId, run);
    deps.runs.add(taskId, run.done);
    void run.done.finally(() => {
      if (stepped.get(taskId) === run) stepped.delete(taskId);
    });
    return run;
  };

  /**
   * Waits for the run's progress as an activity: heartbeats, and aborts the run when Temporal cancels
   * the activity (a cancel request, or the worker shutting down: the store says which).
   */
  const whileActive = async (run: SteppedRun, batch: readonly number[]): Promise<RunProgress> => {
    const context = Context.current();
    const onCancel = () => void cancelReason(deps.store, run.taskId).then((reason) => run.abort(reason));
    context.cancellationSignal.addEventListener('abort', onCancel, { once: true });
    // The first heartbeat after heartbeatMs, not at once: most steps end sooner, and one at the start
    // is a server round trip and commit on every step (the heartbeat timeout runs from the start anyway).
    const heartbeat = setInterval(() => context.heartbeat(), deps.heartbeatMs);
    try {
      return await run.progress(batch);
    } catch (raw) {
      const error = toAutodevError(raw);
      // Stopped without an end: retried (maybe on another worker) from the task's checkpoints.
      throw ApplicationFailure.create({
        message: error.message,
        type: error.code,
        nonRetryable: !error.retryable,
      });
    } finally {
      clearInterval(heartbeat);
      context.cancellationSignal.removeEventListener('abort', onCancel);
    }
  };

  /** A step's activity: lets the run take the step, under the step's deadline, and reports what comes next. */
  const runStepActivity = async (input: StepActivityInput): Promise<RunProgress> => {
    if (deps.drain.aborted) throw ApplicationFailure.retryable('worker draining', 'SHUTTING_DOWN');
    const run = stepped.get(input.taskId) ?? (await startFresh(input.taskId));
    if (typeof run === 'string') return { status: run };
    // A run rebuilt here has other steps: report where it stands, the workflow goes on from there.
    const batch = run.id === input.runId ? input.batch : [];
    // Not waiting there (a retry whose step already ran): where the run stands once the batch ended.
    if (!run.release(input)) return whileActive(run, batch);
    const deadline = setTimeout(
      () =>
        run.abort(
          new AutodevError(
            'STEP_TIMEOUT',
            `step ${input.key} exceeded its ${Math.round(deps.stepDeadlineMs / 1000)}s ` +
              '(runner_timeout_secs × (max_step_retries + 1) plus backoff)',
          ),
        ),
      deps.stepDeadlineMs,
    );
    // The deadline is the step's own: waiting for the steps beside it afterwards is theirs.
    void run.stepEnded(input.seq).then(() => clearTimeout(deadline));
    try {
      return await whileActive(run, batch);
    } finally {
      clearTimeout(deadline);
    }
  };
  // Every phase with every tool of the table: the runs outside the table (a review round, a base
  // update, a multi-repo task's merge after review) reuse its tools under phases of their own, and a
  // step whose activity no worker registers would wait for one forever.
  const toolNames = [...new Set(PHASE_TABLE.flatMap((row) => row.tools.map((t) => t.tool)))];
  const stepActivities = Object.fromEntries(
    PHASES.flatMap((phase) => toolNames.map((tool) => [stepActivityName({ phase, tool }), runStepActivity])),
  );

  return {
    ...stepActivities,

    async startTaskRun(taskId) {
      claimed.delete(taskId);
      const run = stepped.get(taskId) ?? (await startFresh(taskId));
      if (typeof run === 'string') return { status: run };
      return whileActive(run, []);
    },

    async stopTaskRun(taskId) {
      const run = stepped.get(taskId);
      if (run) {
        run.abort(new AutodevError('TASK_CANCELLED', 'task cancelled by request'));
        await run.done;
      }
      return (await deps.store.tasks.get(taskId))?.status ?? 'cancelled';
    },

    async claimWorker(taskId) {
      // A draining or full worker says no: Temporal asks again, and another worker with room answers.
      if (deps.drain.aborted || (!claimed.has(taskId) && slotsTaken() >= deps.maxParallelTasks)) {
        throw ApplicationFailure.retryable(`worker busy (${deps.maxParallelTasks} tasks)`, WORKER_BUSY);
      }
      claimed.set(taskId, Date.now() + CLAIM_HOLD_MS);
      return { taskQueue: deps.ownTaskQueue };
    },

    async recordCancel(taskId) {
      claimed.delete(taskId);
      const { task, ended } = await recordCancelOutsideRun(deps.store, taskId);
      if (!task) throw ApplicationFailure.nonRetryable(`no task with id ${taskId}`, 'TASK_NOT_FOUND');
      // The clean-up after a cancelled run: the workspace goes back to the spares if it is here.
      if (ended) await deps.hooks.onTaskDone(task, 'cancelled').catch(() => undefined);
      return task.status;
    },

    async runTaskAttempt(taskId) {
      claimed.delete(taskId);
      const context = Context.current();
      const stored = await deps.store.tasks.get(taskId);
      if (!stored) {
        throw ApplicationFailure.nonRetryable(`no task with id ${taskId}`, 'TASK_NOT_FOUND');
      }
      // Nothing to run (ended, or waiting for review with no round asked): the workflow decides what next.
      if (isTerminal(stored.status)) return stored.status;
      // Counted in the store, as the embedded scheduler's claim counts it.
      const task = (await deps.store.tasks.countAttempt(taskId)) ?? stored;

      const controller = new AbortController();
      const onCancel = () => void cancelReason(deps.store, taskId).then((reason) => controller.abort(reason));
      context.cancellationSignal.addEventListener('abort', onCancel, { once: true });
      // Heartbeats keep the run alive while commands run and bring its cancellation in. The store's
      // cancel flag is checked too, as the embedded engine does, should the cancel reach only the store.
      const heartbeat = setInterval(() => {
        context.heartbeat();
        void deps.store.tasks
          .get(taskId)
          .then((t) => {
            if (t?.cancel_requested) {
              controller.abort(new AutodevError('TASK_CANCELLED', 'task cancelled by request'));
            }
          })
          .catch(() => undefined);
      }, deps.heartbeatMs);
      context.heartbeat();

      const run = runTaskOnce(task, {
        hooks: deps.hooks,
        log: deps.log,
        taskTimeoutMs: deps.taskTimeoutMs,
        signal: controller.signal,
        drain: deps.drain,
      });
      deps.runs.add(taskId, run);
      try {
        return await run;
      } catch (raw) {
        const error = toAutodevError(raw);
        // Stopped without an end: retried (maybe on another worker) from the task's checkpoints.
        throw ApplicationFailure.create({
          message: error.message,
          type: error.code,
          nonRetryable: !error.retryable,
        });
      } finally {
        clearInterval(heartbeat);
        context.cancellationSignal.removeEventListener('abort', onCancel);
      }
    },
  };
}
