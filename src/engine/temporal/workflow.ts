/**
 * The task workflow. Bundled by the Temporal worker into its deterministic sandbox: it imports only
 * @temporalio/workflow and plain data (workflow-types.ts), never the store, the clock or the network.
 * A change here must replay the recorded histories (test/engine/temporal-replay.test.ts); a change
 * that would not goes behind `patched()`.
 */
import {
  ActivityCancellationType,
  ActivityFailure,
  ApplicationFailure,
  CancellationScope,
  TimeoutFailure,
  condition,
  defineSignal,
  isCancellation,
  patched,
  proxyActivities,
  setHandler,
} from '@temporalio/workflow';
import {
  WAITING_STATUSES,
  WAKE_SIGNAL,
  type TaskActivities,
  type TaskWorkflowInput,
} from './workflow-types.js';

export const wakeSignal = defineSignal(WAKE_SIGNAL);

/**
 * The patch that sends a task's runs to the worker holding its workspace (a queue of its own) instead
 * of the shared queue. Workflows started before it replay the old path: one activity on the shared queue.
 */
export const WORKER_QUEUE_PATCH = 'worker-specific-queue';

/**
 * The patch that records a cancel arriving while no run of the task is going (queued for a worker,
 * between runs): a run aborted by the cancel records it itself, but without a run the workflow ended
 * and the task stayed in its status. Workflows cancelled before it replay ending without the record.
 */
export const RECORD_CANCEL_PATCH = 'record-cancel';

/**
 * The workflow's end once it is cancelled: the task `cancelled` in the store, as the embedded engine
 * leaves it, by an activity the cancel cannot stop (it already arrived). Resolves with the task's
 * status (a run that reached another end first keeps it).
 */
async function endCancelled(taskId: string): Promise<string> {
  if (!patched(RECORD_CANCEL_PATCH)) return 'cancelled';
  const { recordCancel } = proxyActivities<TaskActivities>({
    startToCloseTimeout: '60s',
    // The store away: tried again until it answers, the cancel is never lost.
    retry: { initialInterval: 1_000, maximumInterval: 30_000, backoffCoefficient: 2 },
  });
  return CancellationScope.nonCancellable(() => recordCancel(taskId));
}

/**
 * Whether a failed run should go to another worker: its worker went silent (heartbeat, or never
 * started it: schedule-to-start) or it stopped without an end as often as one worker may try.
 * What no retry fixes (errors.ts `retryable: false`) ends the workflow instead.
 */
function movesToAnotherWorker(error: unknown, nonRetryableCodes: readonly string[]): boolean {
  if (!(error instanceof ActivityFailure)) return false;
  const cause = error.cause;
  if (cause instanceof TimeoutFailure) return true;
  if (cause instanceof ApplicationFailure) {
    return !cause.nonRetryable && !nonRetryableCodes.includes(cause.type ?? '');
  }
  return false;
}

/**
 * A task from queued to its end: runs it on a worker (the activity runs the phase table from the
 * task's checkpoints), then, while its pull request awaits review, waits for a wake signal and runs
 * it again for the review round or base update the signal announced. Cancelling the workflow
 * cancels the running activity, which aborts the task's signal: commands killed, model call aborted.
 */
export async function autodevTask(input: TaskWorkflowInput): Promise<string> {
  let wakes = 0;
  setHandler(wakeSignal, () => {
    wakes += 1;
  });
  if (patched(WORKER_QUEUE_PATCH)) return runOnWorkerQueues(input, () => wakes);
  const { runTaskAttempt } = proxyActivities<TaskActivities>({
    startToCloseTimeout: `${input.runTimeoutSecs}s`,
    heartbeatTimeout: `${input.heartbeatTimeoutSecs}s`,
    // The run records the cancelled end itself: the workflow waits for it before it ends.
    cancellationType: ActivityCancellationType.WAIT_CANCELLATION_COMPLETED,
    retry: {
      initialInterval: input.retry.initialDelayMs,
      maximumInterval: input.retry.maxDelayMs,
      backoffCoefficient: input.retry.backoffCoefficient,
      // No maximumAttempts: a run that stopped without an end (worker gone, store away) resumes
      // until it ends, none is lost; what no retry fixes ends at once by its code.
      nonRetryableErrorTypes: input.nonRetryableCodes,
    },
  });
  for (;;) {
    const seen = wakes;
    try {
      const status = await runTaskAttempt(input.taskId);
      if (!WAITING_STATUSES.includes(status)) return status;
      await condition(() => wakes > seen);
    } catch (error) {
      if (isCancellation(error)) return endCancelled(input.taskId);
      throw error;
    }
  }
}

/**
 * The task's runs on the worker that holds its workspace (Temporal's "activity on the same worker"
 * pattern): a claim on the shared queue picks a worker with a free slot and answers with that worker's
 * own queue; the runs go there, retried on it (retryable codes, backoff, max_step_retries + 1 tries).
 * When that worker dies (its heartbeat lapses, its queue goes unpolled) or keeps stopping, the task
 * is claimed again on the shared queue: the next worker rebuilds the workspace from the origin and
 * resumes from the task's finished steps (the checkpoints in the store).
 */
async function runOnWorkerQueues(input: TaskWorkflowInput, wakes: () => number): Promise<string> {
  const { claimWorker } = proxyActivities<TaskActivities>({
    startToCloseTimeout: `${input.heartbeatTimeoutSecs}s`,
    // A busy worker refuses the claim (WORKER_BUSY): asked again until one has room, never given up.
    retry: { initialInterval: 500, maximumInterval: 5_000, backoffCoefficient: 2 },
  });
  let queue: string | undefined;
  let seen = wakes();
  for (;;) {
    try {
      queue ??= (await claimWorker(input.taskId)).taskQueue;
      const { runTaskAttempt } = proxyActivities<TaskActivities>({
        taskQueue: queue,
        startToCloseTimeout: `${input.runTimeoutSecs}s`,
        heartbeatTimeout: `${input.heartbeatTimeoutSecs}s`,
        // A worker gone before it took the run: the task goes back to the shared queue.
        scheduleToStartTimeout: `${input.heartbeatTimeoutSecs}s`,
        cancellationType: ActivityCancellationType.WAIT_CANCELLATION_COMPLETED,
        retry: {
          initialInterval: input.retry.initialDelayMs,
          maximumInterval: input.retry.maxDelayMs,
          backoffCoefficient: input.retry.backoffCoefficient,
          ...(input.maxAttemptsOnWorker === undefined ? {} : { maximumAttempts: input.maxAttemptsOnWorker }),
          nonRetryableErrorTypes: input.nonRetryableCodes,
        },
      });
      const status = await runTaskAttempt(input.taskId);
      if (!WAITING_STATUSES.includes(status)) return status;
      await condition(() => wakes() > seen);
    } catch (error) {
      if (isCancellation(error)) return endCancelled(input.taskId);
      if (!movesToAnotherWorker(error, input.nonRetryableCodes)) throw error;
      queue = undefined;
      continue;
    }
    seen = wakes();
  }
}
