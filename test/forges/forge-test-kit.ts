import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { expect } from 'vitest';
import type { PullRequest } from '../../src/domain/task.js';
import type { EnsurePullRequestInput, Forge, WebhookRequest } from '../../src/forges/types.js';
import { pushBranch } from './forge-git.js';

/**
 * What the gitea and gitlab forge suites do alike against their fakes: one autodev pull request on a
 * freshly pushed branch, a stand-in pull request for the failure cases, the error-code table, and a
 * receiver for the fakes' webhooks. Each suite keeps its forge's own API shape and assertions.
 */

/** The pull request input autodev sends for `autodev/task-1` against main, with `overrides`. */
export function pullRequestInput(
  repo: string,
  headCommit: string,
  overrides: Partial<EnsurePullRequestInput> = {},
): EnsurePullRequestInput {
  return {
    taskId: 't',
    repo,
    branch: 'autodev/task-1',
    baseBranch: 'main',
    title: 'Add feature',
    body: 'first body',
    headCommit,
    ...overrides,
  };
}

/** Pushes `files` on `autodev/task-1` to `repo` and opens autodev's labelled pull request for it. */
export async function pushAndOpen(forge: Forge, repo: string, taskId: string, files: Record<string, string>) {
  const head = await pushBranch(repo, forge.gitAuth(), 'autodev/task-1', files);
  const pr = await forge.ensurePullRequest(
    pullRequestInput(repo, head, { taskId, labels: ['autodev', 'risk:low'] }),
  );
  return { head, pr };
}

/** A pull request #1 on `repo` as the store holds it: enough for calls that only address it. */
export function somePullRequest(forge: PullRequest['forge'], repo: string): PullRequest {
  return {
    task_id: 't',
    forge,
    repo,
    branch: 'autodev/task-1',
    base_branch: 'main',
    number: 1,
    url: null,
    title: 't',
    status: 'open',
    head_commit: 'abc1234',
    merge_commit: null,
    created_at: '',
    updated_at: '',
  };
}

/** How a forge maps a refusing status to an error code (the same table for every forge). */
const ERROR_CODES: [number, string][] = [
  [401, 'FORGE_AUTH'],
  [403, 'FORGE_AUTH'],
  [404, 'FORGE_NOT_FOUND'],
  [405, 'PR_NOT_MERGEABLE'],
  [409, 'PR_NOT_MERGEABLE'],
  [422, 'FORGE_REJECTED'],
];

/** Each status of the table, injected once, turns an updateBody into its code, never naming the token. */
export async function expectErrorCodes(options: {
  failNext(fault: { status: number }): void;
  forge(): Forge;
  pr: PullRequest;
  token: string;
}): Promise<void> {
  for (const [status, code] of ERROR_CODES) {
    options.failNext({ status });
    const error: unknown = await options
      .forge()
      .updateBody(options.pr, 'x')
      .catch((e: unknown) => e);
    expect(error).toMatchObject({ code });
    expect(String(error)).not.toContain(options.token);
  }
}

/** The forge's sleeps, recorded and skipped, so retry waits are asserted instead of waited out. */
export function recordingSleep(sleeps: number[]): (ms: number) => Promise<void> {
  return (ms) => {
    sleeps.push(ms);
    return Promise.resolve();
  };
}

export interface WebhookReceiver {
  url: string;
  received: WebhookRequest[];
  close(): Promise<void>;
}

/** A loopback endpoint keeping every webhook delivery's headers and raw body, for verifyWebhook. */
export async function startWebhookReceiver(): Promise<WebhookReceiver> {
  const received: WebhookRequest[] = [];
  const receiver = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      received.push({ headers: req.headers, rawBody: Buffer.concat(chunks) });
      res.end();
    });
  });
  await new Promise<void>((resolve) => receiver.listen(0, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${(receiver.address() as AddressInfo).port}/hook`,
    received,
    close: () => new Promise<void>((resolve) => receiver.close(() => resolve())),
  };
}
