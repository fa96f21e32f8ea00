/** Retry is data: how many times and how long to wait, computed from config, never ad hoc. */
export interface RetryPolicy {
  maxAttempts: number;
  initialDelayMs: number;
  maxDelayMs: number;
  backoffCoefficient: number;
}

export function stepRetryPolicy(maxStepRetries: number, overrides: Partial<RetryPolicy> = {}): RetryPolicy {
  return {
    maxAttempts: maxStepRetries + 1,
    initialDelayMs: 500,
    maxDelayMs: 30_000,
    backoffCoefficient: 2,
    ...overrides,
  };
}

/** Delay before attempt `attempt + 1` (attempt counts from 1), with up to 20% jitter. */
export function retryDelayMs(
  policy: RetryPolicy,
  attempt: number,
  random: () => number = Math.random,
): number {
  const base = Math.min(
    policy.maxDelayMs,
    policy.initialDelayMs * policy.backoffCoefficient ** (attempt - 1),
  );
  return Math.round(base * (0.8 + 0.2 * random()));
}

/** Waits, or rejects with the signal's reason as soon as it aborts. */
export function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal?.aborted) return reject(signal.reason as Error);
    const timer = setTimeout(() => {
      signal?.removeEventListener('abort', onAbort);
      resolve();
    }, ms);
    const onAbort = () => {
      clearTimeout(timer);
      reject(signal?.reason as Error);
    };
    signal?.addEventListener('abort', onAbort, { once: true });
  });
}
