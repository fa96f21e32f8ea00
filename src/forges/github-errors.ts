import { RequestError } from '@octokit/request-error';
import { AutodevError, type ErrorCode } from '../errors.js';

/** What a failed call was, for the message: `open pull request` on `acme/app`. */
export interface GithubCallContext {
  operation: string;
  repo: string;
  /** Strings that must never appear in a message (the token). */
  secrets: readonly (string | undefined)[];
}

const MAX_MESSAGE_CHARS = 300;

/**
 * GitHub's answer as an AutodevError naming the operation, the repo, the status and GitHub's own
 * message. The octokit error is not kept as the cause: it carries the request, headers included.
 */
export function toForgeError(error: unknown, call: GithubCallContext): AutodevError {
  if (error instanceof AutodevError) return error;
  const where = `github ${call.operation} on ${call.repo}`;
  if (!(error instanceof RequestError)) {
    const reason = error instanceof Error ? error.message : String(error);
    return new AutodevError('FORGE_FAILED', scrub(`${where} failed: ${reason}`, call.secrets), {
      details: { operation: call.operation, repo: call.repo },
    });
  }
  const headers = error.response?.headers ?? {};
  const said = githubMessage(error.response?.data) ?? error.message;
  const code = codeFor(error.status, headers, said);
  const retryAfterSecs = Number(headers['retry-after']) || undefined;
  const hint =
    code === 'FORGE_AUTH'
      ? ' (check the token in [autodev.git] github_token_env and its access to the repo)'
      : '';
  return new AutodevError(code, scrub(`${where} failed: ${error.status} ${said}${hint}`, call.secrets), {
    details: { operation: call.operation, repo: call.repo, status: error.status, retryAfterSecs },
  });
}

function codeFor(status: number, headers: Record<string, unknown>, said: string): ErrorCode {
  if (status === 429) return 'FORGE_RATE_LIMITED';
  if (status === 403 && isRateLimit(headers, said)) return 'FORGE_RATE_LIMITED';
  if (status === 401 || status === 403) return 'FORGE_AUTH';
  if (status === 404) return 'FORGE_NOT_FOUND';
  if (status === 405 || status === 409) return 'PR_NOT_MERGEABLE';
  if (status === 422) return 'FORGE_REJECTED';
  return 'FORGE_FAILED';
}

/** GitHub answers a rate limit with 403 too: told apart from "forbidden" by its headers. */
function isRateLimit(headers: Record<string, unknown>, said: string): boolean {
  return (
    headers['x-ratelimit-remaining'] === '0' ||
    headers['retry-after'] !== undefined ||
    /\brate limit\b/i.test(said)
  );
}

function githubMessage(data: unknown): string | undefined {
  if (typeof data !== 'object' || data === null || !('message' in data)) return undefined;
  const { message } = data;
  return typeof message === 'string' ? message.slice(0, MAX_MESSAGE_CHARS) : undefined;
}

function scrub(text: string, secrets: readonly (string | undefined)[]): string {
  let out = text;
  for (const secret of secrets) if (secret) out = out.split(secret).join('[REDACTED]');
  return out;
}
