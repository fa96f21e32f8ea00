/**
 * What the workflow and its callers share: names and plain data only, so the workflow bundle
 * (src/engine/temporal/workflow.ts) imports nothing with side effects.
 */

/** The workflow type; its id is the task id. */
export const TASK_WORKFLOW = 'autodevTask';
/** The signal that wakes a task waiting for review (approve, changes requested, merge, close, base update). */
export const WAKE_SIGNAL = 'wake';

/** Engine settings the workflow needs, fixed at start and recorded in its history. */
export interface TaskWorkflowInput {
  taskId: string;
  /** How long one run of the task may take (task_timeout_secs, plus time to record the end). */
  runTimeoutSecs: number;
  /** Without a heartbeat for this long, the worker is taken for dead and the run moves to another. */
  heartbeatTimeoutSecs: number;
  /** Backoff between runs that stopped without an end (src/orchestrator/retry.ts stepRetryPolicy). */
  retry: { initialDelayMs: number; maxDelayMs: number; backoffCoefficient: number };
  /** Error codes (errors.ts) that no retry can fix. */
  nonRetryableCodes: string[];
}

/** The activities a worker offers; the workflow calls them by these names. */
export interface TaskActivities {
  /** One run of the task from its checkpoints; resolves with the status it reached. */
  runTaskAttempt(taskId: string): Promise<string>;
}

/** Statuses after which the task may still have work: the workflow waits for a wake signal. */
export const WAITING_STATUSES: readonly string[] = ['awaiting_review', 'queued'];
