import { AutodevError, type ErrorCode } from '../errors.js';
import { assertTokenTransport } from '../workspace/token-transport.js';
import { readBoundedText } from '../util/read-bounded.js';

/** How one forge's REST client talks: its name for errors, its token, and the retry bounds. */
export interface ForgeHttpOptions {
  forgeId: string;
  /** Removed from every error text: a forge that echoes the request must not leak it. */
  token?: string;
  fetch?: typeof fetch;
  /** Attempts for a 5xx, a network error or a rate limit, first one included. */
  maxAttempts?: number;
  /** A rate limit that resets later than this is not waited for: FORGE_RATE_LIMITED goes up instead. */
  maxRateLimitWaitMs?: number;
  timeoutMs?: number;
  /** Largest answer read; the forge is remote and answers what it likes. */
  maxResponseBytes?: number;
  sleep?: (ms: number) => Promise<void>;
}

export interface ForgeHttpRequest {
  method: 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE';
  url: URL;
  headers: Record<string, string>;
  body?: string;
}

export interface ForgeHttpResponse {
  status: number;
  headers: Headers;
  /** The body as text ('' for 204); callers parse it with their zod schema. */
  text: string;
}

const BACKOFF_BASE_MS = 200;

/**
 * Sends one forge API request: token only over https or loopback http, bounded time and size, 5xx and
 * network errors retried with a short exponential backoff, rate limits waited out per Retry-After or
 * the reset header when the wait is short, and every other failure mapped to one forge error code.
 */
export async function sendForgeRequest(
  options: ForgeHttpOptions,
  request: ForgeHttpRequest,
): Promise<ForgeHttpResponse> {
  assertTokenTransport(request.url);
  const doFetch = options.fetch ?? fetch;
  const sleep = options.sleep ?? ((ms: number) => new Promise<void>((r) => setTimeout(r, ms)));
  const maxAttempts = options.maxAttempts ?? 4;
  const where = `${options.forgeId} ${request.method} ${request.url.pathname}`;
  let lastError: AutodevError | undefined;
  for (let attempt = 1; attempt <= maxAttempts; attempt += 1) {
    let response: Response;
    try {
      response = await doFetch(request.url, {
        method: request.method,
        headers: request.headers,
        ...(request.body === undefined ? {} : { body: request.body }),
        redirect: 'error',
        signal: AbortSignal.timeout(options.timeoutMs ?? 30_000),
      });
    } catch (error) {
      lastError = new AutodevError('FORGE_FAILED', `${where}: the forge could not be reached`, {
        cause: error instanceof Error ? new Error(redact(error.message, options.token)) : undefined,
      });
      if (attempt < maxAttempts) await sleep(BACKOFF_BASE_MS * 2 ** (attempt - 1));
      continue;
    }
    const text = await readBounded(response, options.maxResponseBytes ?? 16 * 1024 * 1024, where);
    if (response.ok) return { status: response.status, headers: response.headers, text };

    const message = `${where}: ${response.status} ${redact(forgeMessage(text), options.token)}`;
    if (isRateLimited(response)) {
      const waitMs = rateLimitWaitMs(response.headers, Date.now());
      lastError = new AutodevError('FORGE_RATE_LIMITED', `${message} (rate limited)`, {
        details: { retryAfterMs: waitMs },
      });
      if (attempt < maxAttempts && waitMs <= (options.maxRateLimitWaitMs ?? 60_000)) {
        await sleep(waitMs);
        continue;
      }
      throw lastError;
    }
    if (response.status >= 500) {
      lastError = new AutodevError('FORGE_FAILED', message);
      if (attempt < maxAttempts) await sleep(BACKOFF_BASE_MS * 2 ** (attempt - 1));
      continue;
    }
    throw new AutodevError(codeForStatus(response.status), message, {
      details: { status: response.status },
    });
  }
  throw lastError ?? new AutodevError('FORGE_FAILED', `${where}: no attempt made`);
}

export function codeForStatus(status: number): ErrorCode {
  if (status === 401 || status === 403) return 'FORGE_AUTH';
  if (status === 404) return 'FORGE_NOT_FOUND';
  if (status === 405 || status === 409) return 'PR_NOT_MERGEABLE';
  if (status === 429) return 'FORGE_RATE_LIMITED';
  if (status >= 500) return 'FORGE_FAILED';
  return 'FORGE_REJECTED';
}

/** 429, or a 403 that says the quota is spent (how some forges report a rate limit). */
function isRateLimited(response: Response): boolean {
  if (response.status === 429) return true;
  const remaining =
    response.headers.get('ratelimit-remaining') ?? response.headers.get('x-ratelimit-remaining');
  return response.status === 403 && remaining === '0';
}

/**
 * Milliseconds until the forge accepts requests again: Retry-After (seconds or an HTTP date), else a
 * reset header (GitLab's RateLimit-Reset and Gitea's X-RateLimit-Reset are epoch seconds; a small
 * number is read as seconds from now), else one second.
 */
export function rateLimitWaitMs(headers: Headers, nowMs: number): number {
  const retryAfter = headers.get('retry-after');
  if (retryAfter !== null) {
    const seconds = Number(retryAfter);
    if (Number.isFinite(seconds)) return Math.max(0, seconds * 1000);
    const at = Date.parse(retryAfter);
    if (Number.isFinite(at)) return Math.max(0, at - nowMs);
  }
  const reset = headers.get('ratelimit-reset') ?? headers.get('x-ratelimit-reset');
  if (reset !== null && /^\d{1,12}$/.test(reset)) {
    const value = Number(reset);
    // Epoch seconds are ~1.7e9; anything under a day is a delta.
    return value > 86_400 ? Math.max(0, value * 1000 - nowMs) : value * 1000;
  }
  return 1000;
}

/** The answer's text, no further than `maxBytes` (a forge is untrusted; an endless answer is cut). */
function readBounded(response: Response, maxBytes: number, where: string): Promise<string> {
  return readBoundedText(
    response,
    maxBytes,
    () => new AutodevError('FORGE_FAILED', `${where}: answer larger than ${maxBytes} bytes`),
  );
}

/** The forge's own explanation (`message` or `error` in JSON), cut short for a task error. */
function forgeMessage(text: string): string {
  let message = text;
  try {
    const parsed: unknown = JSON.parse(text);
    if (typeof parsed === 'object' && parsed !== null) {
      const record = parsed as Record<string, unknown>;
      const value = record.message ?? record.error;
      message = typeof value === 'string' ? value : JSON.stringify(value ?? parsed);
    }
  } catch {
    // Not JSON: the text as it is.
  }
  return message.replace(/\s+/g, ' ').slice(0, 300);
}

export function redact(text: string, token: string | undefined): string {
  return token ? text.split(token).join('[redacted]') : text;
}
