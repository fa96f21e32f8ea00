import { z } from 'zod';
import type { AutodevConfig } from '../config/schema.js';
import { AutodevError } from '../errors.js';
import { createGiteaClient } from '../forges/gitea-client.js';
import { hostOf, locateOnForge } from '../forges/repo-coordinates.js';
import type { WebhookRequest } from '../forges/types.js';
import { singleHeader } from '../forges/webhook-signature.js';
import { pollComments } from './poll-comments.js';
import { markedComment, parseJsonBody, trailingNumber } from './trigger-text.js';
import type { PollResult, TriggerEvent, TriggerIssue, TriggerSource } from './types.js';

/** Gitea keeps comments in a LONGTEXT; past this a comment is no status but a dump. */
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
  body: z.string().max(1_000_000).nullish(),
  labels: z
    .array(z.object({ name: z.string().max(200) }))
    .max(500)
    .nullish(),
  assignees: z.array(login).max(100).nullish(),
  // Set (an object) on a pull request's issue, null on an issue.
  pull_request: z.object({}).passthrough().nullish(),
});
const comment = z.object({
  id: z.number().int().positive(),
  body: z.string().max(1_000_000),
  user: login,
  issue_url: z.string().max(2000).nullish(),
  updated_at: z.string().max(40),
});
const issuePayload = z.object({ action: z.string(), repository, sender: login, issue });
const commentPayload = issuePayload.extend({ comment });

/** The issue events Gitea sends under their own event names (`X-Gitea-Event`). */
const ISSUE_EVENTS = new Set(['issues', 'issue_label', 'issue_assign']);
const COMMENT_EVENTS = new Set(['issue_comment', 'pull_request_comment']);

/**
 * Gitea's (and Forgejo's) issue, label, assignment and comment webhooks as triggers, its issue comments
 * as the channel, and its repository comment list for polling. Keys name the act, not the delivery:
 * Gitea's replay of a delivery carries a new delivery id, and a poll sees the same comment by its id.
 */
export function createGiteaTriggerSource(config: AutodevConfig): TriggerSource {
  const apiUrl = config.git.api_url;
  if (!apiUrl) {
    throw new AutodevError('CONFIG_INVALID', '[autodev.git] api_url is required for provider "gitea"');
  }
  const api = createGiteaClient(apiUrl, {
    forgeId: 'gitea',
    ...(config.secrets.forgeToken ? { token: config.secrets.forgeToken } : {}),
  });
  const hosts = [hostOf(apiUrl)];
  const repoPath = (repo: string) => {
    const { owner, name } = locateOnForge(repo, { id: 'gitea', hosts, nested: false });
    return `/repos/${encodeURIComponent(owner)}/${encodeURIComponent(name)}`;
  };
  const settings = config.triggers;
  const bot = settings.bot_account?.toLowerCase();

  const fromWebhook = (request: WebhookRequest): TriggerEvent[] => {
    const event = singleHeader(request, 'x-gitea-event') ?? singleHeader(request, 'x-forgejo-event');
    if (!event || (!ISSUE_EVENTS.has(event) && !COMMENT_EVENTS.has(event))) return [];
    const json = parseJsonBody(request.rawBody);
    if (COMMENT_EVENTS.has(event)) {
      const parsed = commentPayload.safeParse(json);
      if (!parsed.success || parsed.data.action !== 'created') return [];
      const { repository: repo, issue: on, comment: c } = parsed.data;
      return [commentTrigger(repo, toIssue(on), c)];
    }
    const parsed = issuePayload.safeParse(json);
    if (!parsed.success) return [];
    const { action, repository: repo, sender } = parsed.data;
    const on = toIssue(parsed.data.issue);
    const base = { repo: repo.clone_url, baseBranch: repo.default_branch, actor: sender.login, issue: on };
    const where = `${repo.full_name}#${on.number}`;
    // Gitea's label event names no label: the issue carries the trigger label or it is no trigger.
    // Opened-with-label and labelled share a key, so the issue carrying the label is one trigger.
    const labelled = on.labels.includes(settings.label);
    if ((action === 'opened' || action === 'label_updated') && labelled) {
      return [
        {
          kind: 'issue',
          action: action === 'opened' ? 'opened' : 'labeled',
          key: `gitea:labeled:${where}`,
          label: settings.label,
          ...base,
        },
      ];
    }
    const assignees = parsed.data.issue.assignees ?? [];
    if (action === 'assigned' && bot && assignees.some((a) => a.login.toLowerCase() === bot)) {
      return [{ kind: 'issue', action: 'assigned', key: `gitea:assigned:${where}`, assignee: bot, ...base }];
    }
    return [];
  };

  const poll = (repo: string, cursor: string | undefined): Promise<PollResult> => {
    const path = repoPath(repo);
    return pollComments(
      {
        command: settings.command,
        // Every page (bounded by the client): a busy repository's comments are not cut at one page.
        list: async (since) =>
          (await api.list(`${path}/issues/comments`, comment, { since })).map((c) => ({
            id: c.id,
            body: c.body,
            author: c.user.login,
            issueNumber: trailingNumber(c.issue_url),
            updatedAt: c.updated_at,
          })),
        issue: async (number) => toIssue(await api.get(`${path}/issues/${number}`, issue)),
        repository: async () => {
          const info = await api.get(path, repository);
          return { repo: info.clone_url, baseBranch: info.default_branch };
        },
        key: commentKey,
      },
      cursor,
    );
  };

  return {
    forge: 'gitea',
    everyoneAllowed: false,
    fromWebhook,
    poll,
    // Gitea closes the issue itself when the pull request carrying the keyword merges.
    closingLine: (n) => `Closes #${n}`,
    channel: {
      async postComment(repo, issueNumber, body) {
        const made = await api.send(
          'POST',
          `${repoPath(repo)}/issues/${issueNumber}/comments`,
          { body: markedComment(body, issueNumber, MAX_COMMENT_CHARS) },
          z.object({ id: z.number().int() }),
        );
        return String(made.id);
      },
      async updateComment(repo, issueNumber, commentId, body) {
        await api.send(
          'PATCH',
          `${repoPath(repo)}/issues/comments/${encodeURIComponent(commentId)}`,
          { body: markedComment(body, issueNumber, MAX_COMMENT_CHARS) },
          z.object({ id: z.number().int() }),
        );
      },
      closeIssue: () => Promise.resolve(),
    },
  };
}

function commentTrigger(
  repo: z.infer<typeof repository>,
  on: TriggerIssue,
  c: z.infer<typeof comment>,
): TriggerEvent {
  return {
    kind: 'comment',
    // The comment's own id: a replay, or the same comment seen by a poll, is one trigger.
    key: commentKey(c.id),
    repo: repo.clone_url,
    baseBranch: repo.default_branch,
    actor: c.user.login,
    issue: on,
    comment: { id: String(c.id), body: c.body },
  };
}

function commentKey(id: number): string {
  return `gitea:comment:${id}`;
}

function toIssue(data: z.infer<typeof issue>): TriggerIssue {
  return {
    number: data.number,
    title: data.title,
    body: data.body ?? '',
    labels: (data.labels ?? []).map((l) => l.name),
    isPullRequest: data.pull_request !== undefined && data.pull_request !== null,
  };
}
