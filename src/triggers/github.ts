import { z } from 'zod';
import type { AutodevConfig } from '../config/schema.js';
import { createGithubClient, DEFAULT_GITHUB_TIMING, GITHUB_API_URL } from '../forges/github-client.js';
import { toForgeError } from '../forges/github-errors.js';
import { commentMarker } from '../forges/github-markers.js';
import { hostOf, locateOnForge } from '../forges/repo-coordinates.js';
import type { ForgeRepo, WebhookRequest } from '../forges/types.js';
import { pollComments } from './poll-comments.js';
import { trailingNumber } from './trigger-text.js';
import type { TriggerEvent, TriggerIssue, TriggerSource } from './types.js';

/** GitHub's limit on a comment is 65536 characters. */
const MAX_COMMENT_CHARS = 65_000;

const login = z.object({ login: z.string().min(1).max(200) });
const repository = z.object({
  full_name: z.string().regex(/^[\w.-]+\/[\w.-]+$/),
  clone_url: z.string().url(),
  default_branch: z.string().min(1).max(200),
});
const issue = z.object({
  number: z.number().int().positive(),
  title: z.string().max(1024),
  body: z.string().max(1_000_000).nullable().optional(),
  labels: z
    .array(z.object({ name: z.string().max(200) }))
    .max(500)
    .default([]),
  pull_request: z.object({}).passthrough().optional(),
});
const issuesEvent = z.object({
  action: z.string(),
  repository,
  sender: login,
  issue,
  label: z.object({ name: z.string().max(200) }).optional(),
  assignee: login.nullable().optional(),
});
const issueCommentEvent = z.object({
  action: z.string(),
  repository,
  sender: login,
  issue,
  comment: z.object({ id: z.number().int().positive(), body: z.string().max(1_000_000), user: login }),
});

const ISSUE_ACTIONS = new Set(['opened', 'labeled', 'assigned']);

/** GitHub's `issues` and `issue_comment` events as triggers, and its issue comments as the channel. */
export function createGithubTriggerSource(config: AutodevConfig): TriggerSource {
  const baseUrl = config.git.api_url ?? GITHUB_API_URL;
  const token = config.secrets.forgeToken;
  const apiHost = hostOf(baseUrl);
  const hosts = apiHost === 'api.github.com' ? ['github.com'] : [apiHost];
  const api = createGithubClient({ baseUrl, token, timing: DEFAULT_GITHUB_TIMING });
  const locate = (repo: string): ForgeRepo => locateOnForge(repo, { id: 'github', hosts, nested: false });
  const call = async <T>(operation: string, repo: ForgeRepo, run: () => Promise<T>): Promise<T> => {
    try {
      return await run();
    } catch (error) {
      throw toForgeError(error, { operation, repo: repo.path, secrets: [token] });
    }
  };

  const poll = (repoUrl: string, cursor: string | undefined) => {
    const repo = locate(repoUrl);
    const where = { owner: repo.owner, repo: repo.name };
    return pollComments(
      {
        command: config.triggers.command,
        // Oldest update first, one page: the cursor moves to its newest and the next poll goes on.
        list: async (since) => {
          const { data } = await call('list comments', repo, () =>
            api.rest.issues.listCommentsForRepo({
              ...where,
              since,
              sort: 'updated',
              direction: 'asc',
              per_page: 100,
            }),
          );
          return data.map((c) => ({
            id: c.id,
            body: c.body ?? '',
            author: c.user?.login ?? '',
            issueNumber: trailingNumber(c.issue_url),
            updatedAt: c.updated_at,
          }));
        },
        issue: async (number) => {
          const { data } = await call('read issue', repo, () =>
            api.rest.issues.get({ ...where, issue_number: number }),
          );
          return toIssue(
            issue.parse({
              ...data,
              labels: data.labels.map((l) => ({ name: typeof l === 'string' ? l : (l.name ?? '') })),
            }),
          );
        },
        repository: async () => {
          const { data } = await call('read repository', repo, () => api.rest.repos.get(where));
          return { repo: data.clone_url, baseBranch: data.default_branch };
        },
        key: (id) => `github:comment:${id}`,
      },
      cursor,
    );
  };

  return {
    forge: 'github',
    everyoneAllowed: false,
    fromWebhook: githubTriggers,
    poll,
    closingLine: (n) => `Closes #${n}`,
    channel: {
      async postComment(repoUrl, issueNumber, body) {
        const repo = locate(repoUrl);
        const { data } = await call('comment on issue', repo, () =>
          api.rest.issues.createComment({
            owner: repo.owner,
            repo: repo.name,
            issue_number: issueNumber,
            body: markedBody(body, issueNumber),
          }),
        );
        return String(data.id);
      },
      async updateComment(repoUrl, issueNumber, commentId, body) {
        const repo = locate(repoUrl);
        await call('update issue comment', repo, () =>
          api.rest.issues.updateComment({
            owner: repo.owner,
            repo: repo.name,
            comment_id: Number(commentId),
            body: markedBody(body, issueNumber),
          }),
        );
      },
      // GitHub closes the issue itself when the pull request carrying `Closes #n` merges.
      closeIssue: () => Promise.resolve(),
    },
  };
}

/** The hidden marker keeps autodev's own comments out of reviews and out of the triggers. */
function markedBody(body: string, issueNumber: number): string {
  return `${body.slice(0, MAX_COMMENT_CHARS)}\n\n${commentMarker(`issue-${issueNumber}`)}`;
}

/** The triggers in a verified GitHub delivery: `issues` opened/labeled/assigned, `issue_comment` created. */
export function githubTriggers(request: WebhookRequest): TriggerEvent[] {
  const event = header(request, 'x-github-event');
  if (event !== 'issues' && event !== 'issue_comment') return [];
  let payload: unknown;
  try {
    payload = JSON.parse(request.rawBody.toString('utf8'));
  } catch {
    return [];
  }
  const delivery = header(request, 'x-github-delivery');
  if (event === 'issues') {
    const parsed = issuesEvent.safeParse(payload);
    if (!parsed.success || !ISSUE_ACTIONS.has(parsed.data.action)) return [];
    const data = parsed.data;
    return [
      {
        kind: 'issue',
        action: data.action as 'opened' | 'labeled' | 'assigned',
        // A redelivery carries the same delivery id; without one, the act itself is the key.
        key: `github:issues:${delivery ?? `${data.repository.full_name}#${data.issue.number}:${data.action}`}`,
        repo: data.repository.clone_url,
        baseBranch: data.repository.default_branch,
        actor: data.sender.login,
        issue: toIssue(data.issue),
        ...(data.label ? { label: data.label.name } : {}),
        ...(data.assignee ? { assignee: data.assignee.login } : {}),
      },
    ];
  }
  const parsed = issueCommentEvent.safeParse(payload);
  if (!parsed.success || parsed.data.action !== 'created') return [];
  const data = parsed.data;
  return [
    {
      kind: 'comment',
      // The comment's own id: a redelivery, or the same comment seen by a poll, is one trigger.
      key: `github:comment:${data.comment.id}`,
      repo: data.repository.clone_url,
      baseBranch: data.repository.default_branch,
      actor: data.comment.user.login,
      issue: toIssue(data.issue),
      comment: { id: String(data.comment.id), body: data.comment.body },
    },
  ];
}

function toIssue(data: z.infer<typeof issue>): TriggerIssue {
  return {
    number: data.number,
    title: data.title,
    body: data.body ?? '',
    labels: data.labels.map((l) => l.name),
    isPullRequest: data.pull_request !== undefined,
  };
}

function header(request: WebhookRequest, name: string): string | undefined {
  const value = request.headers[name];
  return Array.isArray(value) ? value[0] : value;
}
