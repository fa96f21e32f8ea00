import { verify } from '@octokit/webhooks-methods';
import { z } from 'zod';
import type { WebhookRequest, WebhookTarget } from './types.js';

/** GitHub sends at most 25 MB; anything larger is not GitHub's. */
const MAX_PAYLOAD_BYTES = 25 * 1024 * 1024;

/** X-Hub-Signature-256 (`sha256=<hex HMAC of the raw body>`), compared in constant time by octokit. */
export async function verifyGithubSignature(request: WebhookRequest, secret: string): Promise<boolean> {
  const signature = header(request, 'x-hub-signature-256');
  if (!secret || !signature || request.rawBody.length > MAX_PAYLOAD_BYTES) return false;
  try {
    return await verify(secret, request.rawBody.toString('utf8'), signature);
  } catch {
    // A malformed signature header is a bad signature, not a server error.
    return false;
  }
}

const repository = z.object({
  full_name: z.string().regex(/^[\w.-]+\/[\w.-]+$/),
  html_url: z.string().url(),
});
const pullRequestEvent = z.object({
  repository,
  pull_request: z.object({ number: z.number().int().positive(), head: z.object({ ref: z.string() }) }),
});
const issueCommentEvent = z.object({
  repository,
  issue: z.object({ number: z.number().int().positive(), pull_request: z.object({}).passthrough() }),
});

const PULL_REQUEST_EVENTS = new Set(['pull_request', 'pull_request_review', 'pull_request_review_comment']);

/**
 * The pull request a (verified) event is about: pull_request and its review events name the branch,
 * issue_comment only the number, and only when the issue is a pull request. Anything else: undefined.
 */
export function githubWebhookTarget(request: WebhookRequest): WebhookTarget | undefined {
  const event = header(request, 'x-github-event');
  if (event === undefined || request.rawBody.length > MAX_PAYLOAD_BYTES) return undefined;
  let payload: unknown;
  try {
    payload = JSON.parse(request.rawBody.toString('utf8'));
  } catch {
    return undefined;
  }
  if (PULL_REQUEST_EVENTS.has(event)) {
    const parsed = pullRequestEvent.safeParse(payload);
    if (!parsed.success) return undefined;
    const { repository: repo, pull_request: pr } = parsed.data;
    return { repo: forgeRepo(repo), number: pr.number, branch: pr.head.ref };
  }
  if (event === 'issue_comment') {
    const parsed = issueCommentEvent.safeParse(payload);
    if (!parsed.success) return undefined;
    return { repo: forgeRepo(parsed.data.repository), number: parsed.data.issue.number };
  }
  return undefined;
}

function forgeRepo(repo: z.infer<typeof repository>) {
  const [owner = '', name = ''] = repo.full_name.split('/');
  return { repo: repo.html_url, path: repo.full_name, owner, name };
}

function header(request: WebhookRequest, name: string): string | undefined {
  const value = request.headers[name];
  return Array.isArray(value) ? value[0] : value;
}
