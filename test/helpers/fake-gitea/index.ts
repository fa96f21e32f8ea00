import { createHmac } from 'node:crypto';
import { mkdir, mkdtemp, rm } from 'node:fs/promises';
import { createServer, type IncomingMessage } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startGitHttpServer } from '../git-http-server.js';
import { branchSha, initBareRepo, mergeBranches } from './bare-repo.js';
import { GITEA_ROUTES } from './routes.js';
import { loadGiteaSpec } from './spec.js';
import { tick, type FakeGiteaRepo, type FakeGiteaReview } from './state.js';
import { createSwaggerValidator } from './swagger-validator.js';

export interface FakeGiteaOptions {
  token: string;
  /** Where review events are POSTed, signed with X-Gitea-Signature as Gitea does. */
  webhook?: { url: string; secret: string };
}

export interface FakeGiteaFault {
  status: number;
  headers?: Record<string, string>;
  /** Only the request `METHOD /path` (no query) gets it; absent: the next request, whatever it is. */
  match?: string;
  /** Runs before the fault is answered: another client's act racing this request. */
  before?: () => Promise<unknown>;
}

export interface FakeGitea {
  /** The instance's base URL, for `[autodev.git] api_url`. */
  apiUrl: string;
  repoUrl(owner: string, name: string): string;
  createRepo(owner: string, name: string, files?: Record<string, string>): Promise<string>;
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
  /** The next API requests answer these faults, in order, instead of being served. */
  failNext(...faults: FakeGiteaFault[]): void;
  repo(owner: string, name: string): FakeGiteaRepo;
  /** Every API request as `METHOD /path?query` (the token must never appear in one). */
  requests: string[];
  authorizations: (string | undefined)[];
  /** Requests or answers Gitea's published swagger does not allow: a test expects none. */
  violations: string[];
  close(): Promise<void>;
}

/**
 * A stateful Gitea on loopback: its REST API v1 (pull requests, reviews, comments, labels, merges
 * applied with real git to the bare repos), and real git over smart HTTP for the same repos. Every
 * request and answer is checked against Gitea's own swagger description.
 */
export async function startFakeGitea(options: FakeGiteaOptions): Promise<FakeGitea> {
  const root = await mkdtemp(join(tmpdir(), 'fake-gitea-'));
  const gitAuth = `Basic ${Buffer.from(`autodev:${options.token}`).toString('base64')}`;
  const gitServer = await startGitHttpServer({ root, requireAuthorization: gitAuth });
  const validator = createSwaggerValidator(loadGiteaSpec());
  const repos = new Map<string, FakeGiteaRepo>();
  const faults: FakeGiteaFault[] = [];
  const requests: string[] = [];
  const authorizations: (string | undefined)[] = [];
  const violations: string[] = [];
  let ids = 1000;
  const nextId = () => (ids += 1);
  const repoOf = (owner: string, name: string): FakeGiteaRepo => {
    const repo = repos.get(`${owner}/${name}`);
    if (!repo) throw new Error(`fake gitea: no repo ${owner}/${name}`);
    return repo;
  };

  const server = createServer((req, res) => {
    void (async () => {
      const url = new URL(req.url ?? '/', 'http://fake');
      const method = req.method ?? 'GET';
      requests.push(`${method} ${url.pathname}${url.search}`);
      authorizations.push(req.headers.authorization);
      const raw = await readBody(req);
      const send = (status: number, body?: unknown, headers: Record<string, string> = {}) => {
        if (status < 400) violations.push(...validator.checkResponse(method, url, status, body));
        res.writeHead(status, { 'content-type': 'application/json', ...headers });
        res.end(body === undefined ? '' : JSON.stringify(body));
      };
      const index = faults.findIndex((f) => f.match === undefined || f.match === `${method} ${url.pathname}`);
      const fault = index >= 0 ? faults.splice(index, 1)[0] : undefined;
      if (fault?.before) await fault.before();
      if (fault) return send(fault.status, { message: 'injected fault', url: '' }, fault.headers);
      if (req.headers.authorization !== `token ${options.token}`) {
        return send(401, { message: 'token is required', url: '' });
      }
      let body: unknown;
      if (raw.length > 0) body = JSON.parse(raw);
      const problems = validator.checkRequest(method, url, body);
      const found = validator.match(method, url.pathname);
      if (problems.length > 0 || !found) {
        violations.push(...problems);
        return send(400, { message: `contract violation: ${problems.join('; ')}`, url: '' });
      }
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
        webUrl: gitServer.url,
        nextId,
      });
      send(answer.status, answer.body);
    })().catch((error: unknown) => {
      res
        .writeHead(500, { 'content-type': 'application/json' })
        .end(JSON.stringify({ message: String(error) }));
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const apiUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;

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
          repository: { full_name: `${owner}/${name}`, html_url: `${gitServer.url}/${owner}/${name}` },
          review: { type: event, content: review.body },
        }),
      );
      const signature = createHmac('sha256', options.webhook.secret).update(payload).digest('hex');
      await fetch(options.webhook.url, {
        method: 'POST',
        headers: {
          'content-type': 'application/json',
          'x-gitea-event': event,
          'x-gitea-signature': signature,
        },
        body: payload,
      });
    }
  };

  return {
    apiUrl,
    repoUrl: (owner, name) => `${gitServer.url}/${owner}/${name}.git`,
    async createRepo(owner, name, files = { 'README.md': '# fixture\n' }) {
      await mkdir(join(root, owner), { recursive: true });
      const dir = join(root, owner, `${name}.git`);
      const sha = await initBareRepo(dir, files);
      repos.set(`${owner}/${name}`, { owner, name, dir, pulls: [], labels: [], comments: [], reviews: [] });
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
    failNext: (...more) => faults.push(...more),
    repo: repoOf,
    requests,
    authorizations,
    violations,
    async close() {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
      await gitServer.close();
      await rm(root, { recursive: true, force: true });
    },
  };
}

async function readBody(req: IncomingMessage): Promise<string> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req) {
    const buf = Buffer.isBuffer(chunk) ? chunk : Buffer.from(String(chunk));
    size += buf.length;
    if (size > 8 * 1024 * 1024) throw new Error('request body too large');
    chunks.push(buf);
  }
  return Buffer.concat(chunks).toString('utf8');
}
