import { branchSha, mergeBranches } from '../fake-forge/bare-repo.js';
import { tick } from '../fake-forge/clock.js';
import {
  commentJson,
  issueJson,
  nextIndex,
  permissionJson,
  repositoryJson,
  pullJson,
  reviewCommentJson,
  reviewJson,
  type FakeGiteaPull,
  type FakeGiteaRepo,
} from './state.js';

export interface RouteContext {
  repo: FakeGiteaRepo;
  /** Path segments after `/repos/{owner}/{repo}/`. */
  segments: string[];
  query: URLSearchParams;
  body: Record<string, unknown>;
  webUrl: string;
  nextId: () => number;
}
export interface RouteAnswer {
  status: number;
  body?: unknown;
}
type Route = (ctx: RouteContext) => Promise<RouteAnswer>;

const PAGE = (query: URLSearchParams) => ({
  page: Number(query.get('page') ?? '1'),
  limit: Number(query.get('limit') ?? '30'),
});
function paged<T>(items: T[], query: URLSearchParams): T[] {
  const { page, limit } = PAGE(query);
  return items.slice((page - 1) * limit, page * limit);
}
const notFound: RouteAnswer = { status: 404, body: { message: 'not found', url: '' } };

async function renderPull(ctx: RouteContext, pull: FakeGiteaPull) {
  const head = (await branchSha(ctx.repo.dir, pull.head)) ?? '';
  const base = (await branchSha(ctx.repo.dir, pull.base)) ?? '';
  return pullJson(ctx.repo, pull, { head, base }, ctx.webUrl);
}
const pullOf = (ctx: RouteContext) => ctx.repo.pulls.find((p) => p.number === Number(ctx.segments[1]));
const str = (v: unknown): string => (typeof v === 'string' ? v : '');
const repoWeb = (ctx: RouteContext) => `${ctx.webUrl}/${ctx.repo.owner}/${ctx.repo.name}`;
/** The issue or pull request at `/issues/{index}` (Gitea serves both as issues). */
const issueOrPull = (ctx: RouteContext) => {
  const number = Number(ctx.segments[1]);
  return ctx.repo.issues.find((i) => i.number === number) ?? ctx.repo.pulls.find((p) => p.number === number);
};

/** The fake's behaviour per spec operation, keyed `METHOD template` as in Gitea's swagger. */
export const GITEA_ROUTES: Record<string, Route> = {
  'GET /repos/{owner}/{repo}/pulls': async (ctx) => {
    const state = ctx.query.get('state') ?? 'open';
    const pulls = ctx.repo.pulls.filter((p) => state === 'all' || p.state === state);
    return { status: 200, body: await Promise.all(paged(pulls, ctx.query).map((p) => renderPull(ctx, p))) };
  },
  'POST /repos/{owner}/{repo}/pulls': async (ctx) => {
    const head = str(ctx.body.head);
    const base = str(ctx.body.base);
    if (!(await branchSha(ctx.repo.dir, head)) || !(await branchSha(ctx.repo.dir, base))) {
      return { status: 404, body: { message: 'branch does not exist', url: '' } };
    }
    if (ctx.repo.pulls.some((p) => p.state === 'open' && p.head === head && p.base === base)) {
      return { status: 409, body: { message: 'pull request already exists for these targets', url: '' } };
    }
    const at = tick();
    const pull: FakeGiteaPull = {
      number: nextIndex(ctx.repo),
      title: str(ctx.body.title),
      body: str(ctx.body.body),
      head,
      base,
      state: 'open',
      merged: false,
      labels: Array.isArray(ctx.body.labels) ? ctx.body.labels.filter((l) => typeof l === 'number') : [],
      createdAt: at,
      updatedAt: at,
    };
    ctx.repo.pulls.push(pull);
    return { status: 201, body: await renderPull(ctx, pull) };
  },
  'GET /repos/{owner}/{repo}/pulls/{index}': async (ctx) => {
    const pull = pullOf(ctx);
    return pull ? { status: 200, body: await renderPull(ctx, pull) } : notFound;
  },
  'PATCH /repos/{owner}/{repo}/pulls/{index}': async (ctx) => {
    const pull = pullOf(ctx);
    if (!pull) return notFound;
    if (typeof ctx.body.body === 'string') pull.body = ctx.body.body;
    if (ctx.body.state === 'closed' || ctx.body.state === 'open') pull.state = ctx.body.state;
    pull.updatedAt = tick();
    return { status: 201, body: await renderPull(ctx, pull) };
  },
  'POST /repos/{owner}/{repo}/pulls/{index}/merge': async (ctx) => {
    const pull = pullOf(ctx);
    if (!pull) return notFound;
    if (pull.merged || pull.state === 'closed') return { status: 405, body: {} };
    const headSha = await branchSha(ctx.repo.dir, pull.head);
    if (typeof ctx.body.head_commit_id === 'string' && ctx.body.head_commit_id !== headSha) {
      return { status: 409, body: { message: 'head out of date', url: '' } };
    }
    const method = str(ctx.body.do);
    if (method !== 'merge' && method !== 'squash' && method !== 'rebase') return { status: 405, body: {} };
    const outcome = await mergeBranches(
      ctx.repo.dir,
      pull.base,
      pull.head,
      method,
      `Merge pull request #${pull.number}`,
    );
    if (!outcome.ok) return { status: 405, body: {} };
    Object.assign(pull, {
      merged: true,
      state: 'closed',
      mergeCommit: outcome.sha,
      mergedBy: 'autodev',
      updatedAt: tick(),
    });
    return { status: 200 };
  },
  'GET /repos/{owner}/{repo}/pulls/{index}/reviews': async (ctx) => {
    const reviews = ctx.repo.reviews.filter((r) => r.pull === Number(ctx.segments[1]));
    return { status: 200, body: paged(reviews, ctx.query).map(reviewJson) };
  },
  'GET /repos/{owner}/{repo}/pulls/{index}/reviews/{id}/comments': async (ctx) => {
    const review = ctx.repo.reviews.find((r) => r.id === Number(ctx.segments[3]));
    if (!review) return notFound;
    return { status: 200, body: review.comments.map((c) => reviewCommentJson(review, c)) };
  },
  'GET /repos/{owner}/{repo}': async (ctx) => ({ status: 200, body: repositoryJson(ctx.repo, ctx.webUrl) }),
  'GET /repos/{owner}/{repo}/issues/{index}': async (ctx) => {
    const number = Number(ctx.segments[1]);
    const issue = ctx.repo.issues.find((i) => i.number === number);
    if (issue) return { status: 200, body: issueJson(ctx.repo, issue, ctx.webUrl, false) };
    const pull = pullOf(ctx);
    if (!pull) return notFound;
    const asIssue = { ...pull, labels: [], by: 'autodev' };
    return { status: 200, body: issueJson(ctx.repo, asIssue, ctx.webUrl, true) };
  },
  // The repository's comments updated at or after `since`, oldest first, as Gitea lists them.
  'GET /repos/{owner}/{repo}/issues/comments': async (ctx) => {
    const since = ctx.query.get('since') ?? '';
    const comments = ctx.repo.comments.filter((c) => (c.updatedAt ?? c.createdAt) >= since);
    return { status: 200, body: paged(comments, ctx.query).map((c) => commentJson(c, repoWeb(ctx))) };
  },
  'PATCH /repos/{owner}/{repo}/issues/comments/{id}': async (ctx) => {
    const comment = ctx.repo.comments.find((c) => c.id === Number(ctx.segments[2]));
    if (!comment) return notFound;
    comment.body = str(ctx.body.body);
    comment.updatedAt = tick();
    return { status: 200, body: commentJson(comment, repoWeb(ctx)) };
  },
  'GET /repos/{owner}/{repo}/issues/{index}/comments': async (ctx) => {
    const comments = ctx.repo.comments.filter((c) => c.issue === Number(ctx.segments[1]));
    return { status: 200, body: paged(comments, ctx.query).map((c) => commentJson(c, repoWeb(ctx))) };
  },
  'POST /repos/{owner}/{repo}/issues/{index}/comments': async (ctx) => {
    if (!issueOrPull(ctx)) return notFound;
    const at = tick();
    const comment = {
      id: ctx.nextId(),
      issue: Number(ctx.segments[1]),
      body: str(ctx.body.body),
      user: 'autodev',
      createdAt: at,
    };
    ctx.repo.comments.push(comment);
    return { status: 201, body: commentJson(comment, repoWeb(ctx)) };
  },
  'POST /repos/{owner}/{repo}/issues/{index}/labels': async (ctx) => {
    const pull = pullOf(ctx);
    if (!pull) return notFound;
    const ids = Array.isArray(ctx.body.labels) ? ctx.body.labels : [];
    for (const id of ids) {
      if (typeof id !== 'number' || !ctx.repo.labels.some((l) => l.id === id)) {
        return { status: 422, body: { message: `label ${String(id)} does not exist`, url: '' } };
      }
      if (!pull.labels.includes(id)) pull.labels.push(id);
    }
    return { status: 200, body: ctx.repo.labels.filter((l) => pull.labels.includes(l.id)) };
  },
  'GET /repos/{owner}/{repo}/collaborators/{collaborator}/permission': async (ctx) => {
    const login = decodeURIComponent(ctx.segments[1] ?? '');
    const mode = [...ctx.repo.permissions].find(([who]) => who.toLowerCase() === login.toLowerCase())?.[1];
    return { status: 200, body: permissionJson(login, mode ?? 'none') };
  },
  'GET /repos/{owner}/{repo}/labels': async (ctx) => ({
    status: 200,
    body: paged(ctx.repo.labels, ctx.query),
  }),
  'POST /repos/{owner}/{repo}/labels': async (ctx) => {
    const name = str(ctx.body.name);
    if (ctx.repo.labels.some((l) => l.name === name)) {
      return { status: 422, body: { message: 'label exists', url: '' } };
    }
    const label = { id: ctx.nextId(), name, color: str(ctx.body.color).replace('#', '') };
    ctx.repo.labels.push(label);
    return { status: 201, body: label };
  },
};
