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
  stepActivityName,
  type RunProgress,
  type StepActivities,
  type StepCall,
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
 * The patch that runs each step of the phase table as an activity of its own (`step.<phase>.<tool>`),
 * with its own start-to-close timeout and retries, on the claiming worker's queue. Workflows started
 * before it replay one activity per run (`runTaskAttempt`).
 */
export const STEP_ACTIVITIES_PATCH = 'step-activities';

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
  // Input recorded without a step timeout (an older API started it): the path before the patch.
  if (input.stepTimeoutSecs !== undefined && patched(STEP_ACTIVITIES_PATCH)) {
    return runStepByStep(input, input.stepTimeoutSecs, () => wakes);
  }
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

/** How the task's activities on its worker's queue are retried: backoff, tries on that worker, codes no retry fixes. */
function onWorkerRetry(input: TaskWorkflowInput) {
  return {
    initialInterval: input.retry.initialDelayMs,
    maximumInterval: input.retry.maxDelayMs,
    backoffCoefficient: input.retry.backoffCoefficient,
    ...(input.maxAttemptsOnWorker === undefined ? {} : { maximumAttempts: input.maxAttemptsOnWorker }),
    nonRetryableErrorTypes: input.nonRetryableCodes,
  };
}

/**
 * The task's runs step by step (patch `step-activities`), on the worker that claimed it as in
 * runOnWorkerQueues: `startTaskRun` brings the run to its first step, then each step is an activity
 * named after its phase and tool (`step.verify.test`) that runs it and the run up to the next step,
 * under a start-to-close of `stepTimeoutSecs`, retried with the steps' backoff on that worker. The
 * run's state stays in the worker's memory between its steps; a worker that died leaves the task to
 * be claimed again, and the next worker rebuilds the run from its checkpoints, step by step.
 */
async function runStepByStep(
  input: TaskWorkflowInput,
  stepTimeoutSecs: number,
  wakes: () => number,
): Promise<string> {
  const { claimWorker } = proxyActivities<TaskActivities>({
    startToCloseTimeout: `${input.heartbeatTimeoutSecs}s`,
    retry: { initialInterval: 500, maximumInterval: 5_000, backoffCoefficient: 2 },
  });
  let queue: string | undefined;
  let seen = wakes();
  for (;;) {
    try {
      queue ??= (await claimWorker(input.taskId)).taskQueue;
      const run = proxyActivities<StepActivities>({
        taskQueue: queue,
        startToCloseTimeout: `${stepTimeoutSecs}s`,
        heartbeatTimeout: `${input.heartbeatTimeoutSecs}s`,
        scheduleToStartTimeout: `${input.heartbeatTimeoutSecs}s`,
        cancellationType: ActivityCancellationType.WAIT_CANCELLATION_COMPLETED,
        retry: onWorkerRetry(input),
      });
      let progress = await run.startTaskRun(input.taskId);
      while ('next' in progress) {
        // Steps the run started side by side (the checks) run as activities side by side.
        const batch = progress.next;
        const seqs = batch.map((step) => step.seq);
        const results = await Promise.all(
          batch.map((step) => {
            const activity = run[stepActivityName(step)];
            // The proxy makes any name an activity: never absent, but the index type cannot say so.
            if (!activity)
              throw ApplicationFailure.nonRetryable(`no activity for step ${step.key}`, 'PLAN_DRIFT');
            return activity({ taskId: input.taskId, ...step, batch: seqs });
          }),
        );
        progress = mergeProgress(results);
      }
      if (!WAITING_STATUSES.includes(progress.status)) return progress.status;
      await condition(() => wakes() > seen);
    } catch (error) {
      if (isCancellation(error)) return endStepRunCancelled(input, queue);
      if (!movesToAnotherWorker(error, input.nonRetryableCodes)) throw error;
      queue = undefined;
      continue;
    }
    seen = wakes();
  }
}

/**
 * A cancelled step-by-step run: the run waiting on its worker (between two steps) is ended there and
 * records `cancelled` itself; with its worker gone, recordCancel records it.
 */
async function endStepRunCancelled(input: TaskWorkflowInput, queue: string | undefined): Promise<string> {
  if (queue !== undefined) {
    const { stopTaskRun } = proxyActivities<StepActivities>({
      taskQueue: queue,
      startToCloseTimeout: '60s',
      scheduleToStartTimeout: `${input.heartbeatTimeoutSecs}s`,
      retry: { maximumAttempts: 1 },
    });
    await CancellationScope.nonCancellable(() => stopTaskRun(input.taskId)).catch(() => undefined);
  }
  return endCancelled(input.taskId);
}

/** What a batch of step activities reported: the run's end if one saw it, else every step that waits. */
function mergeProgress(results: RunProgress[]): RunProgress {
  const ended = results.find((r): r is { status: string } => 'status' in r);
  if (ended) return ended;
  const next = new Map<string, StepCall>();
  for (const result of results) {
    if ('next' in result) for (const step of result.next) next.set(`${step.runId}#${step.seq}`, step);
  }
  return { next: [...next.values()].sort((a, b) => a.seq - b.seq) };
}
