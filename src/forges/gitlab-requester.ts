import { createRequesterFn, type ResourceOptions } from '@gitbeaker/requester-utils';
import { AutodevError } from '../errors.js';
import { sendForgeRequest, type ForgeHttpOptions, type ForgeHttpRequest } from './forge-http.js';

const METHODS = new Set(['GET', 'POST', 'PUT', 'PATCH', 'DELETE']);
const isMethod = (m: unknown): m is ForgeHttpRequest['method'] => typeof m === 'string' && METHODS.has(m);

/**
 * gitbeaker's requester replaced by autodev's forge request: its own one retries 429 and 502 ten times
 * within milliseconds and ignores Retry-After; this one honours the rate-limit headers, retries 5xx
 * with a bounded backoff, bounds time and size, refuses plain http off loopback, and maps statuses
 * to forge error codes with the token redacted.
 */
export function createGitlabRequester(
  http: ForgeHttpOptions,
): (options: ResourceOptions) => ReturnType<ReturnType<typeof createRequesterFn>> {
  return createRequesterFn(
    (_resource, requestOptions) => Promise.resolve(requestOptions),
    async (endpoint, options = {}) => {
      const { prefixUrl, searchParams, method, headers, body } = options;
      if (typeof prefixUrl !== 'string' || !isMethod(method)) {
        throw new AutodevError('INTERNAL', `gitlab request to ${endpoint} without a base URL or method`);
      }
      const url = new URL(endpoint, prefixUrl.endsWith('/') ? prefixUrl : `${prefixUrl}/`);
      if (typeof searchParams === 'string') url.search = searchParams;
      const response = await sendForgeRequest(http, {
        method,
        url,
        headers: stringHeaders(headers),
        ...(typeof body === 'string' ? { body } : {}),
      });
      const isJson = (response.headers.get('content-type') ?? '').includes('application/json');
      let parsed: Record<string, unknown> | Record<string, unknown>[] | string | null = null;
      if (response.status !== 204 && response.text !== '') {
        parsed = isJson ? parseJson(response.text, endpoint) : response.text;
      }
      return {
        body: parsed,
        headers: Object.fromEntries(response.headers.entries()),
        status: response.status,
      };
    },
  );
}

function stringHeaders(value: unknown): Record<string, string> {
  const out: Record<string, string> = {};
  if (typeof value !== 'object' || value === null) return out;
  for (const [key, v] of Object.entries(value)) if (typeof v === 'string') out[key] = v;
  return out;
}

function parseJson(text: string, endpoint: string): Record<string, unknown> | Record<string, unknown>[] {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    throw new AutodevError('FORGE_FAILED', `gitlab ${endpoint}: answer is not JSON`);
  }
  if (Array.isArray(value)) return value.filter(isRecord);
  if (isRecord(value)) return value;
  throw new AutodevError('FORGE_FAILED', `gitlab ${endpoint}: answer is not a JSON object or array`);
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
