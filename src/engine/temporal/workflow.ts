/**
 * The task workflow. Bundled by the Temporal worker into its deterministic sandbox: it imports only
 * @temporalio/workflow and plain data (workflow-types.ts), never the store, the clock or the network.
 * A change here must replay the recorded histories (test/engine/temporal-replay.test.ts); a change
 * that would not goes behind `patched()`.
 */
import {
  ActivityCancellationType,
  condition,
  defineSignal,
  isCancellation,
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
    let status: string;
    try {
      status = await runTaskAttempt(input.taskId);
    } catch (error) {
      if (isCancellation(error)) return 'cancelled';
      throw error;
    }
    if (!WAITING_STATUSES.includes(status)) return status;
    await condition(() => wakes > seen);
  }
}
