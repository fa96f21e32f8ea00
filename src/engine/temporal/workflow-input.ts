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

/** A step's worker-side deadline is this much under its activity's start-to-close: time to record its end. */
export const STEP_END_MARGIN_SECS = 60;

/**
 * How long one step's activity may take: every try of its command (runner_timeout_secs each, up to
 * max_step_retries + 1 tries), the backoff between them, and a minute to record the end; never more
 * than the whole task may take.
 */
export function stepTimeoutSecs(config: AutodevConfig): number {
  const policy = stepRetryPolicy(config.max_step_retries);
  let backoffMs = 0;
  for (let attempt = 1; attempt < policy.maxAttempts; attempt += 1) {
    backoffMs += Math.min(
      policy.maxDelayMs,
      policy.initialDelayMs * policy.backoffCoefficient ** (attempt - 1),
    );
  }
  const tries = config.runner_timeout_secs * policy.maxAttempts + Math.ceil(backoffMs / 1000);
  return Math.min(tries, config.task_timeout_secs) + STEP_END_MARGIN_SECS;
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
    stepTimeoutSecs: stepTimeoutSecs(config),
  };
}
