import { retry } from '@octokit/plugin-retry';
import { throttling } from '@octokit/plugin-throttling';
import { Octokit } from '@octokit/rest';
import Bottleneck from 'bottleneck';
import { AutodevError } from '../errors.js';
import { sameOriginFetch } from './same-origin-fetch.js';
import { assertTokenTransport } from '../workspace/token-transport.js';

export const GITHUB_API_URL = 'https://api.github.com';

/**
 * Waits and limits of the API client. The defaults follow GitHub's guidance (one write a second,
 * honour Retry-After and the rate-limit reset); tests shrink them so a rate limit costs milliseconds.
 */
export interface GithubClientTiming {
  /** Milliseconds one "second" of Retry-After / backoff lasts: 1000 in production. */
  msPerSecond: number;
  /** Least time between two writes (POST/PATCH/PUT/DELETE), GitHub's guard against secondary limits. */
  writeSpacingMs: number;
  /**
   * Least time between two writes that notify people (a pull request, a comment, a review):
   * octokit's own default, 3 s, kept in production; GitHub spams nobody faster than that.
   */
  notificationSpacingMs: number;
  /** Retries of a 5xx or network failure, with backoff (1, 4, 9... seconds). */
  serverErrorRetries: number;
  /** Retries after a rate limit, each after the wait GitHub asks for. */
  rateLimitRetries: number;
  /** A rate limit that asks for a longer wait is not waited out: FORGE_RATE_LIMITED, retried later. */
  maxRateLimitWaitSecs: number;
  /** One request (connect to last byte) may take this long. */
  requestTimeoutMs: number;
}

export const DEFAULT_GITHUB_TIMING: GithubClientTiming = {
  msPerSecond: 1000,
  writeSpacingMs: 1000,
  notificationSpacingMs: 3000,
  serverErrorRetries: 3,
  rateLimitRetries: 2,
  maxRateLimitWaitSecs: 120,
  requestTimeoutMs: 30_000,
};

/**
 * The first plugin, so its hook sits inside retry's: an AutodevError the fetch threw (a refused
 * redirect) reaches the caller as it is, instead of as a "500" that retry would send again.
 */
const surfaceAutodevErrors: Parameters<typeof Octokit.plugin>[0] = (octokit) => {
  octokit.hook.error('request', (error) => {
    const cause: unknown = (error as { cause?: unknown }).cause;
    throw cause instanceof AutodevError ? cause : error;
  });
};

const GithubOctokit = Octokit.plugin(surfaceAutodevErrors, retry, throttling);
export type GithubApi = InstanceType<typeof GithubOctokit>;

export interface GithubClientOptions {
  baseUrl: string;
  token: string | undefined;
  timing: GithubClientTiming;
  /** Called when a rate limit is waited out; never given the token. */
  onRateLimitWait?: (info: { retryAfterSecs: number; method: string; url: string }) => void;
}

/**
 * The octokit client with retry (5xx, network) and throttling (rate limits). The token goes only
 * to an https API, or plain http on loopback (a test forge): anything else is refused naming the key.
 */
export function createGithubClient(options: GithubClientOptions): GithubApi {
  const base = parseApiUrl(options.baseUrl);
  if (options.token !== undefined) {
    try {
      assertTokenTransport(base);
    } catch {
      throw new AutodevError(
        'CONFIG_INVALID',
        `[autodev.git] api_url ${base.origin} is plain http to a non-loopback host: the GitHub token is only sent over https (or http to loopback)`,
        { details: { key: '[autodev.git] api_url', value: base.origin } },
      );
    }
  }
  const { timing } = options;
  const wantRetry = (retryAfterSecs: number, request: { method: string; url: string }, count: number) => {
    if (count >= timing.rateLimitRetries || retryAfterSecs > timing.maxRateLimitWaitSecs) return false;
    options.onRateLimitWait?.({ retryAfterSecs, method: request.method, url: request.url });
    return true;
  };
  return new GithubOctokit({
    auth: options.token,
    baseUrl: base.href.replace(/\/+$/, ''),
    userAgent: 'autodev',
    // Octokit's default log prints to the console; errors reach the caller as FORGE_* instead.
    log: { debug: () => {}, info: () => {}, warn: () => {}, error: () => {} },
    request: { fetch: fetchWithTimeout(timing.requestTimeoutMs) },
    retry: {
      retries: timing.serverErrorRetries,
      retryAfterBaseValue: timing.msPerSecond,
      // 403 and 429 are rate limits for the throttling plugin (which reads Retry-After); the
      // other 4xx are answers, not accidents.
      doNotRetry: [400, 401, 403, 404, 405, 409, 410, 422, 429, 451],
    },
    throttle: {
      id: 'autodev',
      retryAfterBaseValue: timing.msPerSecond,
      // A group of its own per client: octokit's shared default spaces writes a second apart.
      write: new Bottleneck.Group({ maxConcurrent: 1, minTime: timing.writeSpacingMs }),
      notifications: new Bottleneck.Group({ maxConcurrent: 1, minTime: timing.notificationSpacingMs }),
      onRateLimit: (after, request, _octokit, count) => wantRetry(after, request, count),
      onSecondaryRateLimit: (after, request, _octokit, count) => wantRetry(after, request, count),
    },
  });
}

function parseApiUrl(value: string): URL {
  try {
    return new URL(value);
  } catch {
    throw new AutodevError('CONFIG_INVALID', `[autodev.git] api_url ${value} is not a URL`, {
      details: { key: '[autodev.git] api_url' },
    });
  }
}

/**
 * A request that hangs is cut, so a stalled API fails the step instead of holding it forever; a
 * redirect to another origin is refused (the token would follow it and its answer be trusted).
 */
function fetchWithTimeout(timeoutMs: number): typeof fetch {
  return (input, init) => {
    const timeout = AbortSignal.timeout(timeoutMs);
    const signal = init?.signal ? AbortSignal.any([init.signal, timeout]) : timeout;
    return sameOriginFetch()(input, { ...init, signal });
  };
}
