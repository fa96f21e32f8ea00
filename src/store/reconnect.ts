/**
 * PostgreSQL going away (a restart, a failover, a dropped connection) must not fail the work that
 * was using it: a store call that failed because the connection did is made again, with backoff,
 * until the database answers or `waitMs` runs out. Only errors that say the statement did not run
 * (refused or dropped connections, a server shutting down or starting) are retried; an error the
 * database returned about the statement itself (a constraint, a trigger) is passed on at once.
 */
export interface ReconnectPolicy {
  /** How long one call keeps retrying before it fails with the last error. */
  waitMs: number;
  /** Told once per failed attempt (for a warning in the log), with the delay before the next one. */
  onRetry?: (error: unknown, attempt: number, delayMs: number) => void;
  /** Injected in tests; setTimeout otherwise. */
  sleep?: (ms: number) => Promise<void>;
}

const FIRST_DELAY_MS = 100;
const MAX_DELAY_MS = 5_000;

/** Socket-level failures: the statement never reached the server, or its connection is gone. */
const CONNECTION_ERRNOS = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'EPIPE',
  'ETIMEDOUT',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'EAI_AGAIN',
]);

/** SQLSTATEs of a server going down or not up yet: the statement was not committed. */
const SHUTDOWN_SQLSTATES = new Set(['57P01', '57P02', '57P03']);

/** node-postgres reports a socket closed under it, or a pool that could not connect in time, by message. */
const CONNECTION_MESSAGES = [
  /^Connection terminated/,
  /^timeout exceeded when trying to connect/,
  /is not queryable/,
  /^Client was closed and is not queryable/,
];

export function isConnectionError(error: unknown): boolean {
  if (!(error instanceof Error)) return false;
  const code = (error as { code?: unknown }).code;
  if (typeof code === 'string') {
    if (CONNECTION_ERRNOS.has(code) || SHUTDOWN_SQLSTATES.has(code)) return true;
    // Class 08: connection exception (connection_failure, sqlclient_unable_to_establish_sqlconnection...).
    if (/^08[0-9A-Z]{3}$/.test(code)) return true;
  }
  if (CONNECTION_MESSAGES.some((pattern) => pattern.test(error.message))) return true;
  // AggregateError from a connect that tried several addresses (IPv4 and IPv6 of localhost).
  if (error instanceof AggregateError) return error.errors.some(isConnectionError);
  return false;
}

/** Runs `call`, again after each connection error, until it succeeds or `policy.waitMs` has passed. */
export async function retryOnConnectionError<T>(call: () => Promise<T>, policy: ReconnectPolicy): Promise<T> {
  const sleep = policy.sleep ?? ((ms: number) => new Promise<void>((r) => setTimeout(r, ms)));
  const deadline = Date.now() + policy.waitMs;
  for (let attempt = 1; ; attempt += 1) {
    try {
      return await call();
    } catch (error) {
      const delayMs = Math.min(MAX_DELAY_MS, FIRST_DELAY_MS * 2 ** Math.min(attempt - 1, 10));
      if (!isConnectionError(error) || Date.now() + delayMs > deadline) throw error;
      policy.onRetry?.(error, attempt, delayMs);
      await sleep(delayMs);
    }
  }
}

/**
 * The same object with every method that returns a promise retried on connection errors. Each
 * repository method is one statement or one transaction, so making it again is making it once:
 * the failed attempt's statement or transaction did not commit.
 */
export function withReconnect<T extends object>(target: T, policy: ReconnectPolicy): T {
  const wrapped: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(target)) {
    if (typeof value !== 'function') {
      wrapped[key] = value;
      continue;
    }
    const method = value as (...args: unknown[]) => unknown;
    wrapped[key] = (...args: unknown[]) => {
      const first = method.apply(target, args);
      if (!(first instanceof Promise)) return first;
      let used = false;
      return retryOnConnectionError(() => {
        if (!used) {
          used = true;
          return first;
        }
        return method.apply(target, args) as Promise<unknown>;
      }, policy);
    };
  }
  return wrapped as T;
}
