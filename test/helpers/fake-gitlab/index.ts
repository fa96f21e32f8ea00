import { randomUUID } from 'node:crypto';
import { mkdir } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { branchSha, initBareRepo, mergeBranches } from '../fake-forge/bare-repo.js';
import { tick } from '../fake-forge/clock.js';
import { startFakeForgeServer, type FakeForgeFault, type FakeForgeHandle } from '../fake-forge/server.js';
import { deliverWebhook } from '../fake-forge/webhook.js';
import { GITLAB_CONTRACT, routeOf } from './contract.js';
import { GITLAB_ROUTES } from './routes.js';
import type { FakeGitlabIssue, FakeGitlabProject } from './state.js';

export interface FakeGitlabOptions {
  token: string;
  /** Where review events are POSTed, with X-Gitlab-Token as GitLab does. */
  webhook?: { url: string; secret: string };
}

/** An answer a test injects in place of the fake's own. */
export type FakeGitlabFault = FakeForgeFault;

/** `failNext`, `requests`, `violations` (outside fake-gitlab/contract.ts) as every fake forge has. */
export interface FakeGitlab extends FakeForgeHandle {
  /** `group/sub/name` → its clone URL. */
  repoUrl(path: string): string;
  createRepo(path: string, files?: Record<string, string | Buffer>): Promise<string>;
  approve(path: string, iid: number, by: string): Promise<void>;
  /** A diff note on a line: GitLab's way of asking for a change (see the gitlab forge's rule). */
  requestChanges(
    path: string,
    iid: number,
    by: string,
    body: string,
    at: { path: string; line: number },
  ): Promise<void>;
  comment(path: string, iid: number, by: string, body: string): Promise<void>;
  resolveAll(path: string, iid: number): void;
  mergeAsHuman(path: string, iid: number): Promise<void>;
  /** Makes an account a member with `accessLevel` (the bot, `autodev`, is a maintainer from the start). */
  setAccess(path: string, username: string, accessLevel: number): void;
  project(path: string): FakeGitlabProject;
  /** Opens an issue as `by` and delivers the Issue Hook (`open`); its iid. */
  openIssue(
    path: string,
    issue: { title: string; description: string; labels: string[]; by: string },
  ): Promise<number>;
  /** `by` adds a label to an issue (a label event), delivered as an Issue Hook with the change. */
  labelIssue(path: string, iid: number, by: string, label: string): Promise<SentDelivery>;
  /** `by` assigns an issue to `assignee` (a system note), delivered as an Issue Hook with the change. */
  assignIssue(path: string, iid: number, by: string, assignee: string): Promise<SentDelivery>;
  /** A note on an issue as `by`, delivered as a Note Hook; the delivery, to send again. */
  noteOnIssue(path: string, iid: number, by: string, body: string): Promise<SentDelivery>;
  /** Sends a delivery again (GitLab's "Resend request"); the HTTP status autodev answered. */
  redeliver(delivery: SentDelivery): Promise<number>;
}

export interface SentDelivery {
  payload: string;
  headers: Record<string, string>;
}

/**
 * A stateful GitLab on loopback: the REST API v4 parts autodev uses (merge requests, notes,
 * discussions, approvals, merge and rebase applied with real git to bare repos) and real git over
 * smart HTTP for the same repos, with `oauth2:<token>` basic auth as GitLab takes it.
 */
export async function startFakeGitlab(options: FakeGitlabOptions): Promise<FakeGitlab> {
  const projects = new Map<string, FakeGitlabProject>();
  let ids = 5000;
  const nextId = () => (ids += 1);
  const projectOf = (path: string) => {
    const project = projects.get(path);
    if (!project) throw new Error(`fake gitlab: no project ${path}`);
    return project;
  };
  const issueOf = (path: string, iid: number) => {
    const issue = projectOf(path).issues.find((i) => i.iid === iid);
    if (!issue) throw new Error(`fake gitlab: no issue #${iid}`);
    return issue;
  };
  const mrOf = (path: string, iid: number) => {
    const mr = projectOf(path).mrs.find((m) => m.iid === iid);
    if (!mr) throw new Error(`fake gitlab: no merge request !${iid}`);
    return mr;
  };

  const forge = await startFakeForgeServer({
    name: 'gitlab',
    gitAuthorization: `Basic ${Buffer.from(`oauth2:${options.token}`).toString('base64')}`,
    credentialOf: (req) =>
      typeof req.headers['private-token'] === 'string' ? req.headers['private-token'] : undefined,
    errorBody: (message) => ({ message }),
    async serve({ req, method, url, raw, gitUrl, send, refuse }) {
      if (req.headers['private-token'] !== options.token) return send(401, { message: '401 Unauthorized' });
      // `/projects/:id` itself (the project) or a path below it.
      const match = /^\/api\/v4\/projects\/([^/]+)(?:\/(.+))?$/.exec(url.pathname);
      const routeKey = match ? routeOf(method, match[2] ?? '') : undefined;
      if (!match || !routeKey) {
        forge.violations.push(`${method} ${url.pathname}: not a route of the contract`);
        return send(400, { message: 'contract violation: unknown route' });
      }
      const contract = GITLAB_CONTRACT[routeKey];
      const body: unknown = raw.length > 0 ? JSON.parse(raw) : {};
      const problems: string[] = [];
      const query = contract?.query?.safeParse(Object.fromEntries(url.searchParams));
      if (query && !query.success) problems.push(`${routeKey} query: ${query.error.message}`);
      const bodyCheck = contract?.body?.safeParse(body);
      if (bodyCheck && !bodyCheck.success) problems.push(`${routeKey} body: ${bodyCheck.error.message}`);
      if (problems.length > 0) return refuse(problems);
      const project = projects.get(decodeURIComponent(match[1] ?? ''));
      if (!project) return send(404, { message: '404 Project Not Found' });
      const route = GITLAB_ROUTES[routeKey];
      if (!route) return send(501, { message: `fake gitlab does not serve ${routeKey}` });
      const answer = await route({
        project,
        segments: (match[2] ?? '').split('/'),
        query: url.searchParams,
        body: typeof body === 'object' && body !== null ? { ...body } : {},
        webUrl: gitUrl,
        nextId,
      });
      send(answer.status, answer.body);
    },
  });
  const { root, gitUrl } = forge;

  const hook = async (
    event: 'Note Hook' | 'Merge Request Hook',
    path: string,
    iid: number,
    source: string,
  ) => {
    if (!options.webhook) return;
    const payload =
      event === 'Note Hook'
        ? {
            object_kind: 'note',
            project: { path_with_namespace: path },
            object_attributes: { noteable_type: 'MergeRequest' },
            merge_request: { iid, source_branch: source },
          }
        : {
            object_kind: 'merge_request',
            project: { path_with_namespace: path },
            object_attributes: { iid, source_branch: source, action: 'approved' },
          };
    // A forge whose webhook cannot reach autodev delivers nothing; autodev polls instead.
    await deliverWebhook(options.webhook.url, JSON.stringify(payload), {
      'x-gitlab-event': event,
      'x-gitlab-token': options.webhook.secret,
    }).catch(() => 0);
  };
  /** 0 when no webhook is set or autodev cannot be reached (a forge that cannot deliver). */
  const send = async (delivery: SentDelivery): Promise<number> =>
    options.webhook
      ? deliverWebhook(options.webhook.url, delivery.payload, delivery.headers).catch(() => 0)
      : 0;
  /** The fields GitLab's issue and note hooks carry about the project and the issue. */
  const issueHookParts = (path: string, issue: FakeGitlabIssue) => ({
    project: {
      path_with_namespace: path,
      web_url: `${gitUrl}/${path}`,
      git_http_url: `${gitUrl}/${path}.git`,
      default_branch: 'main',
    },
    issue: {
      iid: issue.iid,
      title: issue.title,
      description: issue.description,
      labels: issue.labels.map((title) => ({ title })),
    },
  });
  const deliverIssueHook = async (event: 'Issue Hook' | 'Note Hook', body: Record<string, unknown>) => {
    const delivery = {
      payload: JSON.stringify(body),
      headers: {
        'x-gitlab-event': event,
        'x-gitlab-event-uuid': randomUUID(),
        'x-gitlab-token': options.webhook?.secret ?? '',
      },
    };
    await send(delivery);
    return delivery;
  };

  const addNote = (
    path: string,
    iid: number,
    note: {
      body: string;
      author: string;
      system: boolean;
      position?: { path: string; line: number; headSha: string };
    },
  ) => {
    const id = nextId();
    projectOf(path).notes.push({
      id,
      mr: iid,
      discussion: `d${id}`,
      createdAt: tick(),
      ...note,
      ...(note.position ? { resolved: false } : {}),
    });
  };

  return {
    apiUrl: forge.apiUrl,
    repoUrl: (path) => `${gitUrl}/${path}.git`,
    async createRepo(path, files = { 'README.md': '# fixture\n' }) {
      const dir = join(root, `${path}.git`);
      await mkdir(dirname(dir), { recursive: true });
      const sha = await initBareRepo(dir, files);
      projects.set(path, {
        path,
        dir,
        mrs: [],
        notes: [],
        issues: [],
        issueNotes: [],
        labelEvents: [],
        members: new Map([['autodev', 40]]),
      });
      return sha;
    },
    async approve(path, iid, by) {
      const mr = mrOf(path, iid);
      if (!mr.approvedBy.includes(by)) mr.approvedBy.push(by);
      addNote(path, iid, { body: 'approved this merge request', author: by, system: true });
      await hook('Merge Request Hook', path, iid, mr.source);
    },
    async requestChanges(path, iid, by, body, at) {
      const mr = mrOf(path, iid);
      const headSha = (await branchSha(projectOf(path).dir, mr.source)) ?? '';
      addNote(path, iid, { body, author: by, system: false, position: { ...at, headSha } });
      await hook('Note Hook', path, iid, mr.source);
    },
    async comment(path, iid, by, body) {
      addNote(path, iid, { body, author: by, system: false });
      mrOf(path, iid).updatedAt = tick();
      await hook('Note Hook', path, iid, mrOf(path, iid).source);
    },
    resolveAll(path, iid) {
      for (const note of projectOf(path).notes) if (note.mr === iid && note.position) note.resolved = true;
    },
    async mergeAsHuman(path, iid) {
      const mr = mrOf(path, iid);
      const outcome = await mergeBranches(
        projectOf(path).dir,
        mr.target,
        mr.source,
        'merge',
        `Merge !${iid} by hand`,
      );
      if (!outcome.ok) throw new Error(`fake gitlab: human merge failed: ${outcome.reason}`);
      Object.assign(mr, { state: 'merged', mergeCommit: outcome.sha, updatedAt: tick() });
    },
    setAccess(path, username, accessLevel) {
      projectOf(path).members.set(username, accessLevel);
    },
    async openIssue(path, input) {
      const project = projectOf(path);
      const at = tick();
      const issue = { iid: project.issues.length + 1, ...input, assignees: [], createdAt: at, updatedAt: at };
      project.issues.push(issue);
      // GitLab records the labels an issue is opened with as label events by its author.
      for (const label of input.labels) {
        project.labelEvents.push({
          id: nextId(),
          issue: issue.iid,
          label,
          action: 'add',
          by: input.by,
          createdAt: at,
        });
      }
      const parts = issueHookParts(path, issue);
      await deliverIssueHook('Issue Hook', {
        object_kind: 'issue',
        user: { username: input.by },
        project: parts.project,
        object_attributes: { ...parts.issue, action: 'open' },
        labels: parts.issue.labels,
      });
      return issue.iid;
    },
    async labelIssue(path, iid, by, label) {
      const project = projectOf(path);
      const issue = issueOf(path, iid);
      const previous = issue.labels.map((title) => ({ title }));
      if (!issue.labels.includes(label)) issue.labels.push(label);
      issue.updatedAt = tick();
      project.labelEvents.push({
        id: nextId(),
        issue: iid,
        label,
        action: 'add',
        by,
        createdAt: issue.updatedAt,
      });
      const parts = issueHookParts(path, issue);
      return deliverIssueHook('Issue Hook', {
        object_kind: 'issue',
        user: { username: by },
        project: parts.project,
        object_attributes: { ...parts.issue, action: 'update' },
        labels: parts.issue.labels,
        changes: { labels: { previous, current: parts.issue.labels } },
      });
    },
    async assignIssue(path, iid, by, assignee) {
      const project = projectOf(path);
      const issue = issueOf(path, iid);
      const previous = issue.assignees.map((username) => ({ username }));
      if (!issue.assignees.includes(assignee)) issue.assignees.push(assignee);
      issue.updatedAt = tick();
      // GitLab keeps no assignment events: its record is this system note, by who assigned.
      project.issueNotes.push({
        id: nextId(),
        issue: iid,
        body: `assigned to @${assignee}`,
        author: by,
        createdAt: issue.updatedAt,
        system: true,
      });
      const parts = issueHookParts(path, issue);
      return deliverIssueHook('Issue Hook', {
        object_kind: 'issue',
        user: { username: by },
        project: parts.project,
        object_attributes: { ...parts.issue, action: 'update' },
        labels: parts.issue.labels,
        changes: {
          assignees: { previous, current: issue.assignees.map((username) => ({ username })) },
        },
      });
    },
    async noteOnIssue(path, iid, by, body) {
      const project = projectOf(path);
      const issue = issueOf(path, iid);
      const note = { id: nextId(), issue: iid, body, author: by, createdAt: tick() };
      project.issueNotes.push(note);
      issue.updatedAt = note.createdAt;
      return deliverIssueHook('Note Hook', {
        object_kind: 'note',
        user: { username: by },
        ...issueHookParts(path, issue),
        object_attributes: { id: note.id, note: body, noteable_type: 'Issue', action: 'create' },
      });
    },
    redeliver: send,
    failNext: forge.failNext,
    project: projectOf,
    requests: forge.requests,
    authorizations: forge.authorizations,
    violations: forge.violations,
    close: forge.close,
  };
}
