import { randomUUID } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { sign } from '@octokit/webhooks-methods';
import { readBody } from '../fake-forge/read-body.js';
import { deliverWebhook } from '../fake-forge/webhook.js';
import { startGitHttpServer, type GitHttpServer } from '../git-http-server.js';
import { createBareRepo, mergeInBareRepo, revParse } from './bare-git.js';
import { loadGithubContract, type ContractChecker } from './openapi-contract.js';
import { createRenderer } from './render.js';
import {
  createClock,
  type FakeIssue,
  type FakeIssueComment,
  type FakePull,
  type FakeRepo,
  type GithubRole,
} from './state.js';

export interface FakeGithubOptions {
  /** Folder of bare repos; a temp folder (removed on close) when absent. */
  gitRoot?: string;
  /** The token the API and git require (`token X`/`Bearer X`, git's Basic `x-access-token:X`). */
  token?: string;
  /** Signed webhooks for the reviewers' acts, as a GitHub repo hook would send them. */
  webhook?: { url: string; secret: string };
  /** Reuse one loaded contract across fakes in a file (loading GitHub's spec takes seconds). */
  contract?: ContractChecker;
}

export interface InjectedFault {
  /** Only requests for this operation (`pulls/create`...); any when absent. */
  operationId?: string;
  status: number;
  headers?: Record<string, string>;
  message?: string;
  /** How many matching requests get the fault (default 1). */
  times?: number;
}

export interface RecordedRequest {
  method: string;
  url: string;
  operationId?: string;
  authorization?: string;
  at: number;
}

export interface FakeGithub {
  /** Base URL of the REST API: `[autodev.git] api_url`. */
  apiUrl: string;
  /** Base URL of git over smart HTTP. */
  gitUrl: string;
  repoUrl(owner: string, name: string): string;
  createRepo(
    owner: string,
    name: string,
    files: Record<string, string | Buffer>,
    branch?: string,
  ): Promise<string>;
  pull(number: number): FakePull;
  /** Every pull request of one repo, oldest first: "exactly one" is counted here. */
  pullsOf(owner: string, name: string): FakePull[];
  headOf(number: number): Promise<string>;
  branchSha(owner: string, name: string, branch: string): Promise<string | undefined>;
  approve(number: number, by: string, body?: string): Promise<void>;
  requestChanges(
    number: number,
    by: string,
    body: string,
    comments?: { path: string; line: number; body: string }[],
  ): Promise<void>;
  commentAsHuman(number: number, by: string, body: string): Promise<void>;
  /** Gives an account a role on a repo (the bot, `autodev-bot`, is its admin from the start). */
  setRole(owner: string, name: string, login: string, role: GithubRole): void;
  mergeAsHuman(number: number, method?: 'merge' | 'squash' | 'rebase'): Promise<string>;
  closeAsHuman(number: number): Promise<void>;
  failNext(fault: InjectedFault): void;
  /** Opens an issue as `by` and delivers the `issues` `opened` event; its number. */
  openIssue(
    owner: string,
    name: string,
    issue: { title: string; body: string; labels: string[]; by: string },
  ): Promise<number>;
  /** Comments on an issue as `by` and delivers `issue_comment` `created`; the delivery, to send again. */
  commentOnIssue(number: number, by: string, body: string): Promise<SentDelivery>;
  /** Sends a delivery again exactly as before (its id, body and signature): GitHub's redelivery. */
  redeliver(delivery: SentDelivery, signature?: string): Promise<number>;
  issue(number: number): FakeIssue;
  /** Every request and answer that broke GitHub's OpenAPI description: tests expect none. */
  violations: string[];
  requests: RecordedRequest[];
  webhookDeliveries: { event: string; status: number }[];
  close(): Promise<void>;
}

export interface SentDelivery {
  event: string;
  payload: string;
  headers: Record<string, string>;
}

const MAX_BODY_BYTES = 1024 * 1024;
type Json = Record<string, unknown>;

/**
 * A stateful GitHub on loopback: the REST operations autodev uses, every request and answer checked
 * against GitHub's OpenAPI description, pull requests merged for real into bare repos served by
 * `git http-backend`, and reviewers' acts made through the methods a test calls.
 */
export async function startFakeGithub(options: FakeGithubOptions = {}): Promise<FakeGithub> {
  const contract = options.contract ?? loadGithubContract();
  const ownRoot = options.gitRoot === undefined;
  const root = options.gitRoot ?? (await mkdtemp(join(tmpdir(), 'fake-github-')));
  const gitServer: GitHttpServer = await startGitHttpServer({
    root,
    requireAuthorization: options.token
      ? `Basic ${Buffer.from(`x-access-token:${options.token}`).toString('base64')}`
      : undefined,
  });
  const now = createClock();
  const repos = new Map<string, FakeRepo>();
  const pulls: FakePull[] = [];
  const issues: FakeIssue[] = [];
  let nextId = 1000;
  const violations: string[] = [];
  const requests: RecordedRequest[] = [];
  const faults: InjectedFault[] = [];
  const webhookDeliveries: { event: string; status: number }[] = [];

  const server = createServer((req, res) => {
    handle(req, res).catch((error: unknown) => {
      violations.push(`fake github crashed: ${String(error)}`);
      if (!res.headersSent) res.writeHead(500).end('{"message":"fake crashed"}');
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const apiUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  const render = createRenderer(contract, apiUrl, gitServer.url);

  const shaOf = async (pr: FakePull, ref: string) =>
    (await revParse(pr.repo.dir, `refs/heads/${ref}`)) ?? '0'.repeat(40);
  const headSha = async (pr: FakePull) => pr.frozenHead ?? (await shaOf(pr, pr.head));
  const findPull = (number: number) => {
    const pr = pulls.find((p) => p.number === number);
    if (!pr) throw new Error(`fake github: no pull request #${number}`);
    return pr;
  };

  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const url = new URL(req.url ?? '/', apiUrl);
    const method = req.method ?? 'GET';
    const raw = await readBody(req, MAX_BODY_BYTES);
    let body: unknown;
    if (raw.length > 0) {
      try {
        body = JSON.parse(raw);
      } catch {
        violations.push(`${method} ${url.pathname}: body is not JSON`);
      }
    }
    const checked = contract.checkRequest({ method, path: url.pathname, query: url.searchParams, body });
    violations.push(...checked.violations);
    requests.push({
      method,
      url: req.url ?? '',
      operationId: checked.operationId,
      authorization: req.headers.authorization,
      at: Date.now(),
    });
    const send = (status: number, payload: unknown, headers: Record<string, string> = {}) => {
      // 401 (bad credentials) and 404 (no such repo) are GitHub's answers to any operation; the
      // description lists them only for some operations, so elsewhere they are not a violation.
      const generic = status === 401 || status === 404;
      if (checked.operationId) {
        const problems = contract.checkResponse(checked.operationId, status, payload);
        violations.push(...problems.filter((p) => !(generic && p.endsWith('is not a declared response'))));
      }
      res.writeHead(status, { 'content-type': 'application/json; charset=utf-8', ...headers });
      res.end(payload === undefined ? '' : JSON.stringify(payload));
    };
    const fault = faults.find((f) => !f.operationId || f.operationId === checked.operationId);
    if (fault) {
      fault.times = (fault.times ?? 1) - 1;
      if (fault.times <= 0) faults.splice(faults.indexOf(fault), 1);
      // Injected answers are the test's setup, not the fake's: sent without a contract check.
      res.writeHead(fault.status, { 'content-type': 'application/json', ...fault.headers });
      res.end(JSON.stringify({ message: fault.message ?? `injected ${fault.status}` }));
      return;
    }
    if (options.token) {
      const auth = req.headers.authorization ?? '';
      if (auth !== `token ${options.token}` && auth !== `Bearer ${options.token}`) {
        send(401, { message: 'Bad credentials', documentation_url: 'https://docs.github.com/rest' });
        return;
      }
    }
    if (checked.violations.length > 0 || !checked.operationId) {
      send(400, { message: `contract violation: ${checked.violations.join('; ')}` });
      return;
    }
    const segments = url.pathname.split('/').map(decodeURIComponent);
    const repo = repos.get(`${segments[2]}/${segments[3]}`);
    if (!repo) {
      send(404, { message: 'Not Found', documentation_url: 'https://docs.github.com/rest' });
      return;
    }
    const number = Number(segments[5]);
    const pr = pulls.find((p) => p.repo === repo && p.number === number);
    const notFound = () =>
      send(404, { message: 'Not Found', documentation_url: 'https://docs.github.com/rest' });
    const input = (body ?? {}) as Json;
    const pullJson = async (op: string, p: FakePull) =>
      render.pull(op, p, await headSha(p), await shaOf(p, p.base));

    switch (checked.operationId) {
      case 'pulls/list': {
        const state = url.searchParams.get('state') ?? 'open';
        const head = url.searchParams.get('head');
        const base = url.searchParams.get('base');
        const found = pulls.filter(
          (p) =>
            p.repo === repo &&
            (state === 'all' || p.state === state) &&
            (!head || `${repo.owner}:${p.head}` === head) &&
            (!base || p.base === base),
        );
        const perPage = Number(url.searchParams.get('per_page') ?? 30);
        send(200, await Promise.all(found.slice(0, perPage).map((p) => pullJson('pulls/list', p))));
        return;
      }
      case 'pulls/create': {
        const head = String(input.head);
        const base = String(input.base);
        if (!(await revParse(repo.dir, `refs/heads/${head}`))) {
          send(422, validationFailed('PullRequest', 'head', 'invalid'));
          return;
        }
        if (pulls.some((p) => p.repo === repo && p.head === head && p.base === base && p.state === 'open')) {
          send(422, {
            ...validationFailed('PullRequest', 'head', 'custom'),
            message: `Validation Failed: A pull request already exists for ${repo.owner}:${head}.`,
          });
          return;
        }
        const at = now();
        const created: FakePull = {
          number: nextId++,
          repo,
          title: String(input.title ?? head),
          body: typeof input.body === 'string' ? input.body : '',
          head,
          base,
          state: 'open',
          merged: false,
          labels: [],
          reviews: [],
          reviewComments: [],
          issueComments: [],
          createdAt: at,
          updatedAt: at,
        };
        pulls.push(created);
        send(201, await pullJson('pulls/create', created));
        return;
      }
      case 'pulls/get':
        if (!pr) return notFound();
        send(200, await pullJson('pulls/get', pr));
        return;
      case 'pulls/update': {
        if (!pr) return notFound();
        if (typeof input.title === 'string') pr.title = input.title;
        if (typeof input.body === 'string') pr.body = input.body;
        if (input.state === 'closed' && pr.state === 'open') {
          pr.frozenHead = await headSha(pr);
          pr.state = 'closed';
        }
        pr.updatedAt = now();
        send(200, await pullJson('pulls/update', pr));
        return;
      }
      case 'pulls/merge': {
        if (!pr) return notFound();
        const head = await headSha(pr);
        if (pr.state !== 'open') {
          send(405, { message: 'Pull Request is not mergeable' });
          return;
        }
        if (typeof input.sha === 'string' && input.sha !== head) {
          send(409, { message: 'Head branch was modified. Review and try the merge again.' });
          return;
        }
        const merged = await mergePull(pr, (input.merge_method as 'merge' | undefined) ?? 'merge');
        if (!merged) {
          send(405, { message: 'Pull Request is not mergeable' });
          return;
        }
        send(200, { sha: merged, merged: true, message: 'Pull Request successfully merged' });
        return;
      }
      case 'pulls/list-reviews':
        if (!pr) return notFound();
        send(200, pr.reviews.map(render.review));
        return;
      case 'pulls/list-review-comments':
        if (!pr) return notFound();
        send(200, pr.reviewComments.map(render.reviewComment));
        return;
      case 'issues/list-comments': {
        const thread = pr?.issueComments ?? issueOf(repo, number)?.comments;
        if (!thread) return notFound();
        send(200, thread.map(render.issueComment));
        return;
      }
      case 'issues/create-comment': {
        const thread = pr?.issueComments ?? issueOf(repo, number)?.comments;
        if (!thread) return notFound();
        const comment = { id: nextId++, by: 'autodev-bot', body: String(input.body), at: now() };
        thread.push(comment);
        send(201, render.issueComment(comment));
        return;
      }
      case 'issues/update-comment': {
        const id = Number(segments[6]);
        const found = [...pulls.map((p) => p.issueComments), ...issues.map((i) => i.comments)]
          .flat()
          .find((c) => c.id === id);
        if (!found) return notFound();
        found.body = String(input.body);
        found.at = now();
        send(200, render.issueComment(found));
        return;
      }
      case 'repos/get':
        send(200, render.repository(repo));
        return;
      case 'issues/get': {
        const found = issueOf(repo, number);
        if (found) send(200, render.issue(found, false));
        else if (pr) send(200, render.issue({ ...pr, by: 'autodev-bot' }, true));
        else notFound();
        return;
      }
      // The repository's comments on issues and pull requests updated at or after `since`, oldest first.
      case 'issues/list-comments-for-repo': {
        const since = url.searchParams.get('since') ?? '';
        const threads = [
          ...issues.filter((i) => i.repo === repo).map((i) => ({ number: i.number, comments: i.comments })),
          ...pulls
            .filter((p) => p.repo === repo)
            .map((p) => ({ number: p.number, comments: p.issueComments })),
        ];
        const found = threads
          .flatMap((t) => t.comments.map((c) => ({ c, number: t.number })))
          .filter(({ c }) => c.at >= since)
          .sort((a, b) => a.c.at.localeCompare(b.c.at));
        const perPage = Number(url.searchParams.get('per_page') ?? 30);
        send(
          200,
          found
            .slice(0, perPage)
            .map(({ c, number: n }) => render.repoComment(c, `${repo.owner}/${repo.name}`, n)),
        );
        return;
      }
      case 'repos/get-collaborator-permission-level': {
        const login = segments[5] ?? '';
        const role = [...repo.roles].find(([who]) => who.toLowerCase() === login.toLowerCase())?.[1];
        send(200, render.permission(login, role));
        return;
      }
      case 'issues/add-labels': {
        if (!pr) return notFound();
        const names = (Array.isArray(input.labels) ? input.labels : []).map(String);
        for (const name of names) if (!pr.labels.includes(name)) pr.labels.push(name);
        send(200, pr.labels.map(render.label));
        return;
      }
      default:
        violations.push(`fake github has no handler for ${checked.operationId}`);
        send(404, { message: 'Not Found', documentation_url: 'https://docs.github.com/rest' });
    }
  }

  function issueOf(repo: FakeRepo, number: number): FakeIssue | undefined {
    return issues.find((i) => i.repo === repo && i.number === number);
  }

  /** A signed delivery as a repo hook sends it, with the fields GitHub's issue events carry. */
  async function deliverIssueEvent(event: string, issue: FakeIssue, extra: Json): Promise<SentDelivery> {
    const payload = JSON.stringify({
      ...extra,
      repository: {
        full_name: `${issue.repo.owner}/${issue.repo.name}`,
        html_url: `${gitServer.url}/${issue.repo.owner}/${issue.repo.name}`,
        clone_url: `${gitServer.url}/${issue.repo.owner}/${issue.repo.name}.git`,
        default_branch: issue.repo.defaultBranch,
      },
      issue: {
        number: issue.number,
        title: issue.title,
        body: issue.body,
        labels: issue.labels.map((name) => ({ name })),
        user: { login: issue.by },
      },
    });
    const headers = {
      'x-github-event': event,
      'x-github-delivery': randomUUID(),
      'x-hub-signature-256': options.webhook ? await sign(options.webhook.secret, payload) : '',
    };
    const sent = { event, payload, headers };
    await send(sent);
    return sent;
  }

  async function send(delivery: SentDelivery, signature?: string): Promise<number> {
    if (!options.webhook) return 0;
    const headers = signature ? { ...delivery.headers, 'x-hub-signature-256': signature } : delivery.headers;
    let status = 0;
    try {
      status = await deliverWebhook(options.webhook.url, delivery.payload, headers);
    } catch {
      status = 0;
    }
    webhookDeliveries.push({ event: delivery.event, status });
    return status;
  }

  async function mergePull(pr: FakePull, method: 'merge' | 'squash' | 'rebase'): Promise<string | undefined> {
    const head = await headSha(pr);
    const outcome = await mergeInBareRepo(
      pr.repo.dir,
      pr.base,
      head,
      method,
      `Merge pull request #${pr.number} from ${pr.repo.owner}/${pr.head}`,
    );
    if (!outcome.merged) return undefined;
    Object.assign(pr, { merged: true, state: 'closed', mergeCommit: outcome.sha, frozenHead: head });
    pr.updatedAt = now();
    return outcome.sha;
  }

  async function deliver(event: string, pr: FakePull, extra: Json): Promise<void> {
    if (!options.webhook) return;
    const payload = JSON.stringify({
      ...extra,
      repository: {
        full_name: `${pr.repo.owner}/${pr.repo.name}`,
        html_url: `${gitServer.url}/${pr.repo.owner}/${pr.repo.name}`,
      },
      pull_request: { number: pr.number, head: { ref: pr.head, sha: await headSha(pr) } },
    });
    try {
      const status = await deliverWebhook(options.webhook.url, payload, {
        'x-github-event': event,
        'x-github-delivery': randomUUID(),
        'x-hub-signature-256': await sign(options.webhook.secret, payload),
      });
      webhookDeliveries.push({ event, status });
    } catch {
      webhookDeliveries.push({ event, status: 0 });
    }
  }

  const review = async (
    number: number,
    by: string,
    state: 'APPROVED' | 'CHANGES_REQUESTED',
    body: string,
  ) => {
    const pr = findPull(number);
    const entry = { id: nextId++, by, state, body, commit: await headSha(pr), at: now() };
    pr.reviews.push(entry);
    return { pr, entry };
  };

  return {
    apiUrl,
    gitUrl: gitServer.url,
    repoUrl: (owner, name) => `${gitServer.url}/${owner}/${name}.git`,
    async createRepo(owner, name, files, branch = 'main') {
      const dir = join(root, owner, `${name}.git`);
      await createBareRepo(dir, branch, files);
      repos.set(`${owner}/${name}`, {
        owner,
        name,
        dir,
        defaultBranch: branch,
        roles: new Map([['autodev-bot', 'admin']]),
      });
      return `${gitServer.url}/${owner}/${name}.git`;
    },
    pull: findPull,
    headOf: (number) => headSha(findPull(number)),
    branchSha: (owner, name, branch) => revParse(join(root, owner, `${name}.git`), `refs/heads/${branch}`),
    async approve(number, by, body = '') {
      const { pr, entry } = await review(number, by, 'APPROVED', body);
      await deliver('pull_request_review', pr, { action: 'submitted', review: { id: entry.id } });
    },
    async requestChanges(number, by, body, comments = []) {
      const { pr, entry } = await review(number, by, 'CHANGES_REQUESTED', body);
      for (const c of comments) {
        pr.reviewComments.push({
          id: nextId++,
          reviewId: entry.id,
          by,
          ...c,
          commit: entry.commit,
          at: now(),
        });
      }
      await deliver('pull_request_review', pr, { action: 'submitted', review: { id: entry.id } });
    },
    async commentAsHuman(number, by, body) {
      const pr = findPull(number);
      pr.issueComments.push({ id: nextId++, by, body, at: now() });
      await deliver('issue_comment', pr, {
        action: 'created',
        issue: { number: pr.number, pull_request: { url: `${apiUrl}/pulls/${pr.number}` } },
      });
    },
    async mergeAsHuman(number, method = 'merge') {
      const pr = findPull(number);
      const sha = await mergePull(pr, method);
      if (!sha) throw new Error(`fake github: #${number} cannot be merged`);
      await deliver('pull_request', pr, { action: 'closed' });
      return sha;
    },
    async closeAsHuman(number) {
      const pr = findPull(number);
      pr.frozenHead = await headSha(pr);
      pr.state = 'closed';
      pr.updatedAt = now();
      await deliver('pull_request', pr, { action: 'closed' });
    },
    setRole(owner, name, login, role) {
      const repo = repos.get(`${owner}/${name}`);
      if (!repo) throw new Error(`fake github: no repo ${owner}/${name}`);
      repo.roles.set(login, role);
    },
    failNext: (fault) => faults.push({ ...fault }),
    async openIssue(owner, name, input) {
      const repo = repos.get(`${owner}/${name}`);
      if (!repo) throw new Error(`fake github: no repo ${owner}/${name}`);
      const issue: FakeIssue = { number: nextId++, repo, ...input, comments: [] };
      issues.push(issue);
      await deliverIssueEvent('issues', issue, { action: 'opened', sender: { login: input.by } });
      return issue.number;
    },
    async commentOnIssue(number, by, body) {
      const issue = issues.find((i) => i.number === number);
      if (!issue) throw new Error(`fake github: no issue #${number}`);
      const comment: FakeIssueComment = { id: nextId++, by, body, at: now() };
      issue.comments.push(comment);
      return deliverIssueEvent('issue_comment', issue, {
        action: 'created',
        sender: { login: by },
        comment: { id: comment.id, body, user: { login: by } },
      });
    },
    redeliver: (delivery, signature) => send(delivery, signature),
    issue(number) {
      const issue = issues.find((i) => i.number === number);
      if (!issue) throw new Error(`fake github: no issue #${number}`);
      return issue;
    },
    pullsOf: (owner, name) => pulls.filter((p) => p.repo.owner === owner && p.repo.name === name),
    violations,
    requests,
    webhookDeliveries,
    async close() {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
      await gitServer.close();
      if (ownRoot) await rm(root, { recursive: true, force: true });
    },
  };
}

function validationFailed(resource: string, field: string, code: string): Json {
  return {
    message: 'Validation Failed',
    errors: [{ resource, field, code }],
    documentation_url: 'https://docs.github.com/rest',
  };
}
