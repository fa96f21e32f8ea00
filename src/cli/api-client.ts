import type { ApiClientSettings } from '../config/index.js';
import { AutodevError, ERROR_CODES, type ErrorCode } from '../errors.js';

/** One API call may take this long: the CLI never hangs on a server that stopped answering. */
const REQUEST_TIMEOUT_MS = 30_000;

export interface ApiClient {
  request(method: 'GET' | 'POST', path: string, body?: unknown): Promise<unknown>;
}

/**
 * The CLI's client of autodev's HTTP API. An error answer becomes an AutodevError with the server's
 * code and message (validation details appended, one per field); a server that cannot be reached is
 * API_UNREACHABLE naming the address and how to change it.
 */
export function createApiClient(settings: ApiClientSettings): ApiClient {
  return {
    async request(method, path, body) {
      let response: Response;
      try {
        response = await fetch(`${settings.url}${path}`, {
          method,
          headers: {
            accept: 'application/json',
            ...(body === undefined ? {} : { 'content-type': 'application/json' }),
            ...(settings.token ? { authorization: `Bearer ${settings.token}` } : {}),
          },
          body: body === undefined ? undefined : JSON.stringify(body),
          signal: AbortSignal.timeout(REQUEST_TIMEOUT_MS),
        });
      } catch (error) {
        const cause = error instanceof Error && error.cause instanceof Error ? error.cause : error;
        throw new AutodevError(
          'API_UNREACHABLE',
          `cannot reach autodev at ${settings.url}: ${(cause as Error).message ?? String(cause)} ` +
            '(is the server running? set --url or AUTODEV_URL)',
          { cause: error },
        );
      }
      const text = await response.text();
      const parsed = parseJson(text);
      if (response.ok) return parsed;
      throw errorFromAnswer(response.status, parsed, text);
    },
  };
}

function parseJson(text: string): unknown {
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return undefined;
  }
}

function isErrorCode(value: unknown): value is ErrorCode {
  return typeof value === 'string' && Object.hasOwn(ERROR_CODES, value);
}

function errorFromAnswer(status: number, body: unknown, text: string): AutodevError {
  const error =
    typeof body === 'object' && body !== null && 'error' in body && typeof body.error === 'object'
      ? (body.error as { code?: unknown; message?: unknown; details?: unknown })
      : undefined;
  if (error === undefined || typeof error.message !== 'string') {
    return new AutodevError('INTERNAL', `the server answered ${status}: ${text.slice(0, 500)}`);
  }
  const fields = Array.isArray(error.details)
    ? error.details
        .map((d: { field?: unknown; message?: unknown }) =>
          typeof d?.field === 'string' ? `${d.field}: ${String(d.message)}` : undefined,
        )
        .filter((line): line is string => line !== undefined)
    : [];
  const message = fields.length > 0 ? `${error.message} (${fields.join('; ')})` : error.message;
  const hint = status === 401 ? ' (set AUTODEV_TOKEN to a token of the server (AUTODEV_API_TOKENS))' : '';
  return new AutodevError(isErrorCode(error.code) ? error.code : 'INTERNAL', `${message}${hint}`, {
    details: error.details,
  });
}
