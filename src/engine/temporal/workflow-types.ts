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
  /**
   * Tries of one run on the worker that holds the workspace (max_step_retries + 1) before the task
   * goes back to the shared queue for a worker again. Absent in histories recorded before it.
   */
  maxAttemptsOnWorker?: number;
  /**
   * Start-to-close of one step's activity (runner_timeout_secs × tries + backoff + a minute, capped by
   * the task's deadline). Absent in histories recorded before the step activities.
   */
  stepTimeoutSecs?: number;
}

/** A step the run reached and waits before: the workflow runs it as the activity `stepActivityName`. */
export interface StepCall {
  /** The run on the worker this step belongs to (a rebuilt run has another). */
  runId: string;
  /** The step's place in that run, from 1. */
  seq: number;
  key: string;
  phase: string;
  tool: string;
}

/**
 * Where a run stands after an activity: before its next steps (several when the run starts them
 * side by side, like the checks), or ended with the task's status.
 */
export type RunProgress = { next: StepCall[] } | { status: string };

/** The input of a step's activity: the task, the step it lets run, and the steps started beside it. */
export interface StepActivityInput extends StepCall {
  taskId: string;
  /** The seqs of the steps the workflow runs together with this one (this one's included). */
  batch: number[];
}

/** The activity type of a step: one per phase and tool of the phase table, so the history names it. */
export function stepActivityName(step: { phase: string; tool: string }): `step.${string}` {
  return `step.${step.phase}.${step.tool}`;
}

/** The activities of the step-by-step run (patch `step-activities`), on the claiming worker's own queue. */
export interface StepActivities {
  /** The task's run on this worker (rebuilt from its checkpoints when there is none), to its first step. */
  startTaskRun(taskId: string): Promise<RunProgress>;
  /** Ends the task's run on this worker after a cancel (it records `cancelled` itself); its status. */
  stopTaskRun(taskId: string): Promise<string>;
  /** A step (`stepActivityName`): runs it, then the run up to its next step or end. */
  [step: `step.${string}`]: (input: StepActivityInput) => Promise<RunProgress>;
}

/** The shared queue's answer to "which worker runs this task": that worker's own task queue. */
export interface WorkerClaim {
  taskQueue: string;
}

/** The activity type a worker busy with max_parallel_tasks runs fails a claim with, to be retried. */
export const WORKER_BUSY = 'WORKER_BUSY';

/** The activities a worker offers; the workflow calls them by these names. */
export interface TaskActivities {
  /** One run of the task from its checkpoints; resolves with the status it reached. */
  runTaskAttempt(taskId: string): Promise<string>;
  /**
   * On the shared queue: a worker with a free slot takes the task and answers with its own queue,
   * where the task's runs then go (they need the workspace that worker holds).
   */
  claimWorker(taskId: string): Promise<WorkerClaim>;
  /**
   * The task's workflow was cancelled while no run of it was going (queued, waiting for a worker, between
   * runs): records the task `cancelled` as the embedded engine would. Resolves with the task's status.
   */
  recordCancel(taskId: string): Promise<string>;
}

/** Statuses after which the task may still have work: the workflow waits for a wake signal. */
export const WAITING_STATUSES: readonly string[] = ['awaiting_review', 'queued'];
