import { mkdir, mkdtemp, rm } from 'node:fs/promises';
import { createServer, type IncomingMessage } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { startGitHttpServer } from '../git-http-server.js';
import { branchSha, initBareRepo, mergeBranches } from '../fake-gitea/bare-repo.js';
import { tick } from '../fake-gitea/state.js';
import { GITLAB_CONTRACT, routeOf } from './contract.js';
import { GITLAB_ROUTES } from './routes.js';
import type { FakeGitlabProject } from './state.js';

export interface FakeGitlabOptions {
  token: string;
  /** Where review events are POSTed, with X-Gitlab-Token as GitLab does. */
  webhook?: { url: string; secret: string };
}

export interface FakeGitlabFault {
  status: number;
  headers?: Record<string, string>;
  /** Only the request `METHOD /path` (no query) gets it; absent: the next request, whatever it is. */
  match?: string;
  /** Runs before the fault is answered: another client's act racing this request. */
  before?: () => Promise<unknown>;
}

export interface FakeGitlab {
  /** The instance's base URL, for `[autodev.git] api_url`. */
  apiUrl: string;
  /** `group/sub/name` → its clone URL. */
  repoUrl(path: string): string;
  createRepo(path: string, files?: Record<string, string>): Promise<string>;
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
  failNext(...faults: FakeGitlabFault[]): void;
  project(path: string): FakeGitlabProject;
  requests: string[];
  authorizations: (string | undefined)[];
  /** Requests outside the transcribed contract (fake-gitlab/contract.ts): a test expects none. */
  violations: string[];
  close(): Promise<void>;
}

/**
 * A stateful GitLab on loopback: the REST API v4 parts autodev uses (merge requests, notes,
 * discussions, approvals, merge and rebase applied with real git to bare repos) and real git over
 * smart HTTP for the same repos, with `oauth2:<token>` basic auth as GitLab takes it.
 */
export async function startFakeGitlab(options: FakeGitlabOptions): Promise<FakeGitlab> {
  const root = await mkdtemp(join(tmpdir(), 'fake-gitlab-'));
  const gitAuth = `Basic ${Buffer.from(`oauth2:${options.token}`).toString('base64')}`;
  const gitServer = await startGitHttpServer({ root, requireAuthorization: gitAuth });
  const projects = new Map<string, FakeGitlabProject>();
  const faults: FakeGitlabFault[] = [];
  const requests: string[] = [];
  const authorizations: (string | undefined)[] = [];
  const violations: string[] = [];
  let ids = 5000;
  const nextId = () => (ids += 1);
  const projectOf = (path: string) => {
    const project = projects.get(path);
    if (!project) throw new Error(`fake gitlab: no project ${path}`);
    return project;
  };
  const mrOf = (path: string, iid: number) => {
    const mr = projectOf(path).mrs.find((m) => m.iid === iid);
    if (!mr) throw new Error(`fake gitlab: no merge request !${iid}`);
    return mr;
  };

  const server = createServer((req, res) => {
    void (async () => {
      const url = new URL(req.url ?? '/', 'http://fake');
      const method = req.method ?? 'GET';
      requests.push(`${method} ${url.pathname}${url.search}`);
      authorizations.push(
        typeof req.headers['private-token'] === 'string' ? req.headers['private-token'] : undefined,
      );
      const raw = await readBody(req);
      const send = (status: number, body?: unknown, headers: Record<string, string> = {}) => {
        res.writeHead(status, { 'content-type': 'application/json', ...headers });
        res.end(body === undefined ? '' : JSON.stringify(body));
      };
      const index = faults.findIndex((f) => f.match === undefined || f.match === `${method} ${url.pathname}`);
      const fault = index >= 0 ? faults.splice(index, 1)[0] : undefined;
      if (fault?.before) await fault.before();
      if (fault) return send(fault.status, { message: 'injected fault' }, fault.headers);
      if (req.headers['private-token'] !== options.token) return send(401, { message: '401 Unauthorized' });
      const match = /^\/api\/v4\/projects\/([^/]+)\/(.+)$/.exec(url.pathname);
      const routeKey = match ? routeOf(method, match[2] ?? '') : undefined;
      if (!match || !routeKey) {
        violations.push(`${method} ${url.pathname}: not a route of the contract`);
        return send(400, { message: 'contract violation: unknown route' });
      }
      const contract = GITLAB_CONTRACT[routeKey];
      const body: unknown = raw.length > 0 ? JSON.parse(raw) : {};
      const problems: string[] = [];
      const query = contract?.query?.safeParse(Object.fromEntries(url.searchParams));
      if (query && !query.success) problems.push(`${routeKey} query: ${query.error.message}`);
      const bodyCheck = contract?.body?.safeParse(body);
      if (bodyCheck && !bodyCheck.success) problems.push(`${routeKey} body: ${bodyCheck.error.message}`);
      if (problems.length > 0) {
        violations.push(...problems);
        return send(400, { message: `contract violation: ${problems.join('; ')}` });
      }
      const project = projects.get(decodeURIComponent(match[1] ?? ''));
      if (!project) return send(404, { message: '404 Project Not Found' });
      const route = GITLAB_ROUTES[routeKey];
      if (!route) return send(501, { message: `fake gitlab does not serve ${routeKey}` });
      const answer = await route({
        project,
        segments: (match[2] ?? '').split('/'),
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
    await fetch(options.webhook.url, {
      method: 'POST',
      headers: {
        'content-type': 'application/json',
        'x-gitlab-event': event,
        'x-gitlab-token': options.webhook.secret,
      },
      body: JSON.stringify(payload),
    });
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
    apiUrl,
    repoUrl: (path) => `${gitServer.url}/${path}.git`,
    async createRepo(path, files = { 'README.md': '# fixture\n' }) {
      const dir = join(root, `${path}.git`);
      await mkdir(dirname(dir), { recursive: true });
      const sha = await initBareRepo(dir, files);
      projects.set(path, { path, dir, mrs: [], notes: [] });
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
    failNext: (...more) => faults.push(...more),
    project: projectOf,
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
