import { createHmac, randomUUID } from 'node:crypto';
import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import { branchSha, initBareRepo, mergeBranches } from '../fake-forge/bare-repo.js';
import { tick } from '../fake-forge/clock.js';
import { startFakeForgeServer, type FakeForgeFault, type FakeForgeHandle } from '../fake-forge/server.js';
import { deliverWebhook } from '../fake-forge/webhook.js';
import { GITEA_ROUTES } from './routes.js';
import { loadGiteaSpec } from './spec.js';
import {
  issueJson,
  nextIndex,
  repositoryJson,
  type FakeGiteaComment,
  type FakeGiteaRepo,
  type FakeGiteaReview,
  type GiteaAccessMode,
} from './state.js';
import { createSwaggerValidator } from './swagger-validator.js';

export interface FakeGiteaOptions {
  token: string;
  /** Where review events are POSTed, signed with X-Gitea-Signature as Gitea does. */
  webhook?: { url: string; secret: string };
}

/** An answer a test injects in place of the fake's own. */
export type FakeGiteaFault = FakeForgeFault;

/** `failNext`, `requests`, `violations` (against Gitea's published swagger) as every fake forge has. */
export interface FakeGitea extends FakeForgeHandle {
  repoUrl(owner: string, name: string): string;
  createRepo(owner: string, name: string, files?: Record<string, string | Buffer>): Promise<string>;
  approve(owner: string, name: string, number: number, by: string, body?: string): Promise<void>;
  requestChanges(
    owner: string,
    name: string,
    number: number,
    by: string,
    body: string,
    comments?: { path: string; line: number; body: string }[],
  ): Promise<void>;
  mergeAsHuman(owner: string, name: string, number: number): Promise<void>;
  /** Gives an account an access mode on a repo (the bot, `autodev`, is its admin from the start). */
  setPermission(owner: string, name: string, login: string, mode: GiteaAccessMode): void;
  repo(owner: string, name: string): FakeGiteaRepo;
  /** Opens an issue as `by` and delivers the `issues` `opened` event; its number. */
  openIssue(
    owner: string,
    name: string,
    issue: { title: string; body: string; labels: string[]; by: string },
  ): Promise<number>;
  /** Comments as `by` and delivers `issue_comment` `created`; the delivery, to send again. */
  commentOnIssue(
    owner: string,
    name: string,
    number: number,
    by: string,
    body: string,
  ): Promise<SentDelivery>;
  /** Sends a delivery again as Gitea's replay does; the HTTP status autodev answered (0: unreachable). */
  redeliver(delivery: SentDelivery): Promise<number>;
  /** The comments on one issue or pull request, oldest first. */
  commentsOn(owner: string, name: string, number: number): FakeGiteaComment[];
}

export interface SentDelivery {
  payload: string;
  headers: Record<string, string>;
}

/**
 * A stateful Gitea on loopback: its REST API v1 (pull requests, reviews, comments, labels, merges
 * applied with real git to the bare repos), and real git over smart HTTP for the same repos. Every
 * request and answer is checked against Gitea's own swagger description.
 */
export async function startFakeGitea(options: FakeGiteaOptions): Promise<FakeGitea> {
  const validator = createSwaggerValidator(loadGiteaSpec());
  const repos = new Map<string, FakeGiteaRepo>();
  let ids = 1000;
  const nextId = () => (ids += 1);
  const repoOf = (owner: string, name: string): FakeGiteaRepo => {
    const repo = repos.get(`${owner}/${name}`);
    if (!repo) throw new Error(`fake gitea: no repo ${owner}/${name}`);
    return repo;
  };

  const forge = await startFakeForgeServer({
    name: 'gitea',
    gitAuthorization: `Basic ${Buffer.from(`autodev:${options.token}`).toString('base64')}`,
    credentialOf: (req) => req.headers.authorization,
    errorBody: (message) => ({ message, url: '' }),
    checkAnswer: (method, url, status, body) =>
      status < 400 ? validator.checkResponse(method, url, status, body) : [],
    async serve({ req, method, url, raw, gitUrl, send, refuse }) {
      if (req.headers.authorization !== `token ${options.token}`) {
        return send(401, { message: 'token is required', url: '' });
      }
      let body: unknown;
      if (raw.length > 0) body = JSON.parse(raw);
      const problems = validator.checkRequest(method, url, body);
      const found = validator.match(method, url.pathname);
      if (problems.length > 0 || !found) return refuse(problems);
      const route = GITEA_ROUTES[`${method} ${found.template}`];
      const parts = url.pathname.replace(/^\/api\/v1\/repos\//, '').split('/');
      const repo = repos.get(`${parts[0] ?? ''}/${parts[1] ?? ''}`);
      if (!route) return send(501, { message: `fake gitea does not serve ${found.template}`, url: '' });
      if (!repo) return send(404, { message: 'repo not found', url: '' });
      const answer = await route({
        repo,
        segments: parts.slice(2),
        query: url.searchParams,
        body: typeof body === 'object' && body !== null ? { ...body } : {},
        webUrl: gitUrl,
        nextId,
      });
      send(answer.status, answer.body);
    },
  });
  const { root, gitUrl } = forge;

  /** A delivery signed as Gitea signs it (hex HMAC-SHA256 of the body); not sent without a webhook. */
  /** 0 when no webhook is set or autodev cannot be reached (a forge that cannot deliver). */
  const send = async (delivery: SentDelivery): Promise<number> =>
    options.webhook
      ? deliverWebhook(options.webhook.url, delivery.payload, delivery.headers).catch(() => 0)
      : 0;
  const deliverEvent = async (event: string, body: Record<string, unknown>): Promise<SentDelivery> => {
    const payload = JSON.stringify(body);
    const secret = options.webhook?.secret ?? '';
    const delivery = {
      payload,
      headers: {
        'x-gitea-event': event,
        'x-gitea-delivery': randomUUID(),
        'x-gitea-signature': createHmac('sha256', secret).update(payload).digest('hex'),
      },
    };
    await send(delivery);
    return delivery;
  };

  const addReview = async (
    owner: string,
    name: string,
    number: number,
    review: Pick<FakeGiteaReview, 'state' | 'body' | 'user'>,
    comments: { path: string; line: number; body: string }[] = [],
  ) => {
    const repo = repoOf(owner, name);
    const pull = repo.pulls.find((p) => p.number === number);
    if (!pull) throw new Error(`fake gitea: no pull request #${number}`);
    const full: FakeGiteaReview = {
      ...review,
      id: nextId(),
      pull: number,
      commitId: (await branchSha(repo.dir, pull.head)) ?? '',
      submittedAt: tick(),
      // A review's line comments are submitted with it, so they come right after it.
      comments: comments.map((c) => ({ ...c, id: nextId(), createdAt: tick() })),
    };
    repo.reviews.push(full);
    if (options.webhook) {
      const event =
        review.state === 'APPROVED' ? 'pull_request_review_approved' : 'pull_request_review_rejected';
      const payload = Buffer.from(
        JSON.stringify({
          action: 'reviewed',
          number,
          pull_request: { number, head: { ref: pull.head } },
          repository: { full_name: `${owner}/${name}`, html_url: `${gitUrl}/${owner}/${name}` },
          review: { type: event, content: review.body },
        }),
      );
      const signature = createHmac('sha256', options.webhook.secret).update(payload).digest('hex');
      await deliverWebhook(options.webhook.url, payload, {
        'x-gitea-event': event,
        'x-gitea-signature': signature,
      });
    }
  };

  return {
    apiUrl: forge.apiUrl,
    repoUrl: (owner, name) => `${gitUrl}/${owner}/${name}.git`,
    async createRepo(owner, name, files = { 'README.md': '# fixture\n' }) {
      await mkdir(join(root, owner), { recursive: true });
      const dir = join(root, owner, `${name}.git`);
      const sha = await initBareRepo(dir, files);
      repos.set(`${owner}/${name}`, {
        owner,
        name,
        dir,
        pulls: [],
        labels: [],
        comments: [],
        reviews: [],
        issues: [],
        permissions: new Map([['autodev', 'admin']]),
      });
      return sha;
    },
    approve: (owner, name, number, by, body = 'LGTM') =>
      addReview(owner, name, number, { state: 'APPROVED', body, user: by }),
    requestChanges: (owner, name, number, by, body, comments = []) =>
      addReview(owner, name, number, { state: 'REQUEST_CHANGES', body, user: by }, comments),
    async mergeAsHuman(owner, name, number) {
      const repo = repoOf(owner, name);
      const pull = repo.pulls.find((p) => p.number === number);
      if (!pull) throw new Error(`fake gitea: no pull request #${number}`);
      const outcome = await mergeBranches(
        repo.dir,
        pull.base,
        pull.head,
        'merge',
        `Merge #${number} by hand`,
      );
      if (!outcome.ok) throw new Error(`fake gitea: human merge failed: ${outcome.reason}`);
      Object.assign(pull, {
        merged: true,
        state: 'closed',
        mergeCommit: outcome.sha,
        mergedBy: 'human',
        updatedAt: tick(),
      });
    },
    setPermission(owner, name, login, mode) {
      repoOf(owner, name).permissions.set(login, mode);
    },
    async openIssue(owner, name, input) {
      const repo = repoOf(owner, name);
      const issue = { number: nextIndex(repo), ...input, state: 'open' as const, createdAt: tick() };
      repo.issues.push(issue);
      await deliverEvent('issues', {
        action: 'opened',
        number: issue.number,
        issue: issueJson(repo, issue, gitUrl, false),
        repository: repositoryJson(repo, gitUrl),
        sender: { login: input.by },
      });
      return issue.number;
    },
    async commentOnIssue(owner, name, number, by, body) {
      const repo = repoOf(owner, name);
      const issue = repo.issues.find((i) => i.number === number);
      if (!issue) throw new Error(`fake gitea: no issue #${number}`);
      const comment = { id: nextId(), issue: number, body, user: by, createdAt: tick() };
      repo.comments.push(comment);
      return deliverEvent('issue_comment', {
        action: 'created',
        issue: issueJson(repo, issue, gitUrl, false),
        comment: {
          id: comment.id,
          body,
          user: { login: by },
          issue_url: `${gitUrl}/${owner}/${name}/issues/${number}`,
          updated_at: comment.createdAt,
        },
        repository: repositoryJson(repo, gitUrl),
        sender: { login: by },
        is_pull: false,
      });
    },
    redeliver: send,
    commentsOn: (owner, name, number) => repoOf(owner, name).comments.filter((c) => c.issue === number),
    failNext: forge.failNext,
    repo: repoOf,
    requests: forge.requests,
    authorizations: forge.authorizations,
    violations: forge.violations,
    close: forge.close,
  };
}
