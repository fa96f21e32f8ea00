import { Gitlab } from '@gitbeaker/rest';
import { z } from 'zod';
import type { AutodevConfig } from '../config/schema.js';
import { createGitlabRequester } from '../forges/gitlab-requester.js';
import { hostOf, locateOnForge } from '../forges/repo-coordinates.js';
import type { WebhookRequest } from '../forges/types.js';
import { singleHeader } from '../forges/webhook-signature.js';
import { pollGitlabIssues } from './gitlab-poll.js';
import { createGitlabPollSource } from './gitlab-poll-source.js';
import { markedComment, parseJsonBody } from './trigger-text.js';
import type { PollResult, TriggerEvent, TriggerIssue, TriggerSource } from './types.js';

/** GitLab's limit on a note is 1,000,000 characters; a status is far shorter. */
const MAX_NOTE_CHARS = 65_000;
const user = z.object({ username: z.string().min(1).max(255) });
const label = z.object({ title: z.string().max(255) });
const project = z.object({
  path_with_namespace: z.string().regex(/^[\w.-]+(\/[\w.-]+)+$/),
  git_http_url: z.string().url(),
  default_branch: z.string().min(1).max(255),
});
/** The issue or merge request a note is on, as the Note Hook carries it. */
const noteable = z.object({
  iid: z.number().int().positive(),
  title: z.string().max(1024),
  description: z.string().max(1_000_000).nullish(),
  labels: z.array(label).max(500).nullish(),
});
const noteHook = z.object({
  user,
  project,
  object_attributes: z.object({
    id: z.number().int().positive(),
    note: z.string().max(1_000_000),
    noteable_type: z.string(),
    // GitLab 15.x and older send no action; newer ones say create or update.
    action: z.string().optional(),
  }),
  issue: noteable.nullish(),
  merge_request: noteable.nullish(),
});
const change = <T extends z.ZodTypeAny>(item: T) =>
  z.object({ previous: z.array(item).max(500).nullish(), current: z.array(item).max(500).nullish() });
const issueHook = z.object({
  user,
  project,
  object_attributes: noteable.extend({ action: z.string().optional() }),
  labels: z.array(label).max(500).nullish(),
  changes: z.object({ labels: change(label).optional(), assignees: change(user).optional() }).nullish(),
});

/**
 * GitLab's Issue Hook (opened with, or given, the trigger label; assigned to the bot) and Note Hook
 * (a note on an issue or merge request) as triggers, the same acts read by polling the project's
 * issues (gitlab-poll.ts) for a GitLab whose webhooks cannot reach autodev, and issue notes as the
 * channel. Keys name the act:
 * the issue getting the label once, the note by its id.
 */
export function createGitlabTriggerSource(config: AutodevConfig): TriggerSource {
  const host = (config.git.api_url ?? 'https://gitlab.com').replace(/\/+$/, '').replace(/\/api\/v4$/, '');
  const token = config.secrets.forgeToken;
  const api = new Gitlab({
    host,
    token: token ?? '',
    requesterFn: createGitlabRequester({ forgeId: 'gitlab', ...(token ? { token } : {}) }),
  });
  const hosts = [hostOf(host)];
  const projectOf = (repo: string) => locateOnForge(repo, { id: 'gitlab', hosts, nested: true }).path;
  const settings = config.triggers;
  const bot = settings.bot_account?.toLowerCase();
  const noteId = z.object({ id: z.number().int() });
  const poll = (repo: string, cursor: string | undefined): Promise<PollResult> =>
    pollGitlabIssues(
      createGitlabPollSource(api, projectOf(repo), { label: settings.label, command: settings.command, bot }),
      cursor,
    );

  const fromWebhook = (request: WebhookRequest): TriggerEvent[] => {
    const event = singleHeader(request, 'x-gitlab-event');
    if (event === 'Note Hook') {
      const parsed = noteHook.safeParse(parseJsonBody(request.rawBody));
      if (!parsed.success) return [];
      const { object_attributes: note, project: where } = parsed.data;
      if (note.action !== undefined && note.action !== 'create') return [];
      const isMr = note.noteable_type === 'MergeRequest';
      const on = isMr ? parsed.data.merge_request : parsed.data.issue;
      if (!on || (!isMr && note.noteable_type !== 'Issue')) return [];
      return [
        {
          kind: 'comment',
          // The note's own id: a resend, or the same note seen again, is one trigger.
          key: `gitlab:note:${note.id}`,
          repo: where.git_http_url,
          baseBranch: where.default_branch,
          actor: parsed.data.user.username,
          issue: toIssue(on, on.labels, isMr),
          comment: { id: String(note.id), body: note.note },
        },
      ];
    }
    if (event !== 'Issue Hook') return [];
    const parsed = issueHook.safeParse(parseJsonBody(request.rawBody));
    if (!parsed.success) return [];
    const { object_attributes: attrs, project: where, changes } = parsed.data;
    const issue = toIssue(attrs, parsed.data.labels, false);
    const base = {
      repo: where.git_http_url,
      baseBranch: where.default_branch,
      actor: parsed.data.user.username,
      issue,
    };
    const at = `${where.path_with_namespace}#${attrs.iid}`;
    const titles = (list: { title: string }[] | null | undefined) => (list ?? []).map((l) => l.title);
    const gotLabel =
      attrs.action === 'open'
        ? issue.labels.includes(settings.label)
        : titles(changes?.labels?.current).includes(settings.label) &&
          !titles(changes?.labels?.previous).includes(settings.label);
    if (gotLabel) {
      return [
        {
          kind: 'issue',
          action: attrs.action === 'open' ? 'opened' : 'labeled',
          // Opened with the label or given it later: the issue carrying the label is one trigger.
          key: `gitlab:labeled:${at}`,
          label: settings.label,
          ...base,
        },
      ];
    }
    const names = (list: { username: string }[] | null | undefined) =>
      (list ?? []).map((u) => u.username.toLowerCase());
    const assigned =
      bot !== undefined &&
      names(changes?.assignees?.current).includes(bot) &&
      !names(changes?.assignees?.previous).includes(bot);
    if (assigned) {
      return [{ kind: 'issue', action: 'assigned', key: `gitlab:assigned:${at}`, assignee: bot, ...base }];
    }
    return [];
  };

  return {
    forge: 'gitlab',
    everyoneAllowed: false,
    fromWebhook,
    poll,
    // GitLab closes the issue itself when the merge request carrying the keyword merges.
    closingLine: (n) => `Closes #${n}`,
    channel: {
      async postComment(repo, number, body, onPullRequest) {
        const text = markedComment(body, number, MAX_NOTE_CHARS);
        const made = onPullRequest
          ? await api.MergeRequestNotes.create(projectOf(repo), number, text)
          : await api.IssueNotes.create(projectOf(repo), number, text);
        return String(noteId.parse(made).id);
      },
      async updateComment(repo, number, commentId, body) {
        await api.IssueNotes.edit(projectOf(repo), number, Number(commentId), {
          body: markedComment(body, number, MAX_NOTE_CHARS),
        });
      },
      closeIssue: () => Promise.resolve(),
    },
  };
}

function toIssue(
  on: z.infer<typeof noteable>,
  labels: { title: string }[] | null | undefined,
  isPullRequest: boolean,
): TriggerIssue {
  return {
    number: on.iid,
    title: on.title,
    body: on.description ?? '',
    labels: (labels ?? []).map((l) => l.title),
    isPullRequest,
  };
}
