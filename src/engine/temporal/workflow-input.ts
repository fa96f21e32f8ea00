import { ERROR_CODES, type ErrorCode } from '../../errors.js';
import type { AutodevConfig } from '../../config/schema.js';
import { stepRetryPolicy } from '../../orchestrator/retry.js';
import type { TaskWorkflowInput } from './workflow-types.js';

/** A worker silent this long is taken for dead: its run moves to another worker. */
export const HEARTBEAT_TIMEOUT_SECS = 20;
/** How often a run heartbeats: a cancel reaches it within about this long. */
export const HEARTBEAT_INTERVAL_MS = 1_000;

/** The codes no retry fixes (errors.ts `retryable: false`): Temporal fails the activity at once on them. */
export function nonRetryableCodes(): ErrorCode[] {
  return (Object.keys(ERROR_CODES) as ErrorCode[]).filter((code) => !ERROR_CODES[code].retryable);
}

/** The workflow's input for a task: the engine settings recorded in its history at start. */
export function taskWorkflowInput(config: AutodevConfig, taskId: string): TaskWorkflowInput {
  const policy = stepRetryPolicy(config.max_step_retries);
  return {
    taskId,
    // The run enforces task_timeout_secs itself and then records the end: a minute more for that.
    runTimeoutSecs: config.task_timeout_secs + 60,
    heartbeatTimeoutSecs: HEARTBEAT_TIMEOUT_SECS,
    retry: {
      initialDelayMs: policy.initialDelayMs,
      maxDelayMs: policy.maxDelayMs,
      backoffCoefficient: policy.backoffCoefficient,
    },
    nonRetryableCodes: nonRetryableCodes(),
    maxAttemptsOnWorker: policy.maxAttempts,
  };
}
