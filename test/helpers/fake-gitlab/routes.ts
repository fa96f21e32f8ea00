import { branchSha, mergeBranches, rebaseBranch } from '../fake-forge/bare-repo.js';
import { tick } from '../fake-forge/clock.js';
import {
  issueJson,
  issueNoteJson,
  labelEventJson,
  memberJson,
  mrJson,
  noteJson,
  projectJson,
  type FakeGitlabMr,
  type FakeGitlabProject,
} from './state.js';

export interface GitlabRouteContext {
  project: FakeGitlabProject;
  /** Path segments after `/projects/:id/`. */
  segments: string[];
  query: URLSearchParams;
  body: Record<string, unknown>;
  webUrl: string;
  nextId: () => number;
}
export interface GitlabAnswer {
  status: number;
  body?: unknown;
}
type Route = (ctx: GitlabRouteContext) => Promise<GitlabAnswer>;

const notFound: GitlabAnswer = { status: 404, body: { message: '404 Not found' } };
const mrOf = (ctx: GitlabRouteContext) => ctx.project.mrs.find((m) => m.iid === Number(ctx.segments[1]));
const str = (v: unknown): string => (typeof v === 'string' ? v : '');
const render = async (ctx: GitlabRouteContext, mr: FakeGitlabMr, extra: Record<string, unknown> = {}) =>
  mrJson(ctx.project, mr, (await branchSha(ctx.project.dir, mr.source)) ?? '', ctx.webUrl, extra);
const paged = <T>(items: T[], query: URLSearchParams): T[] => {
  const page = Number(query.get('page') ?? '1');
  const per = Number(query.get('per_page') ?? '20');
  return items.slice((page - 1) * per, page * per);
};

/** The fake's behaviour per route of GITLAB_CONTRACT. */
export const GITLAB_ROUTES: Record<string, Route> = {
  'GET members': async (ctx) => {
    // GitLab's `query` matches parts of usernames and names, case-insensitively.
    const query = (ctx.query.get('query') ?? '').toLowerCase();
    const members = [...ctx.project.members]
      .filter(([username]) => username.toLowerCase().includes(query))
      .map(([username, level], index) => memberJson(username, level, index + 1));
    return { status: 200, body: paged(members, ctx.query) };
  },
  'GET merge_requests': async (ctx) => {
    const state = ctx.query.get('state') ?? 'all';
    const after = Date.parse(ctx.query.get('updated_after') ?? '1970-01-01T00:00:00Z');
    const key = ctx.query.get('order_by') === 'updated_at' ? 'updatedAt' : 'createdAt';
    const direction = ctx.query.get('sort') === 'asc' ? 1 : -1;
    const mrs = ctx.project.mrs
      .filter(
        (m) =>
          (state === 'all' || m.state === state) &&
          Date.parse(m.updatedAt) >= after &&
          (!ctx.query.has('source_branch') || m.source === ctx.query.get('source_branch')) &&
          (!ctx.query.has('target_branch') || m.target === ctx.query.get('target_branch')),
      )
      // Unordered asks keep the order they were made in, as the fake always answered them.
      .sort((a, b) => (ctx.query.has('sort') ? direction * (Date.parse(a[key]) - Date.parse(b[key])) : 0));
    return { status: 200, body: await Promise.all(paged(mrs, ctx.query).map((m) => render(ctx, m))) };
  },
  'POST merge_requests': async (ctx) => {
    const source = str(ctx.body.source_branch);
    const target = str(ctx.body.target_branch);
    if (!(await branchSha(ctx.project.dir, source)) || !(await branchSha(ctx.project.dir, target))) {
      return { status: 422, body: { message: ['Source branch does not exist'] } };
    }
    if (ctx.project.mrs.some((m) => m.state === 'opened' && m.source === source && m.target === target)) {
      return {
        status: 409,
        body: { message: ['Another open merge request already exists for this source branch'] },
      };
    }
    const at = tick();
    const mr: FakeGitlabMr = {
      iid: ctx.project.mrs.length + 1,
      title: str(ctx.body.title),
      description: str(ctx.body.description),
      source,
      target,
      state: 'opened',
      labels: str(ctx.body.labels).split(',').filter(Boolean),
      approvedBy: [],
      createdAt: at,
      updatedAt: at,
    };
    ctx.project.mrs.push(mr);
    return { status: 201, body: await render(ctx, mr) };
  },
  'GET merge_request': async (ctx) => {
    const mr = mrOf(ctx);
    if (!mr) return notFound;
    const extra = ctx.query.get('include_rebase_in_progress') === 'true' ? { rebase_in_progress: false } : {};
    return { status: 200, body: await render(ctx, mr, extra) };
  },
  'PUT merge_request': async (ctx) => {
    const mr = mrOf(ctx);
    if (!mr) return notFound;
    if (typeof ctx.body.description === 'string') mr.description = ctx.body.description;
    for (const label of str(ctx.body.add_labels).split(',').filter(Boolean)) {
      if (!mr.labels.includes(label)) mr.labels.push(label);
    }
    if (ctx.body.state_event === 'close' && mr.state === 'opened') mr.state = 'closed';
    mr.updatedAt = tick();
    return { status: 200, body: await render(ctx, mr) };
  },
  'PUT merge': async (ctx) => {
    const mr = mrOf(ctx);
    if (!mr) return notFound;
    if (mr.state !== 'opened') return { status: 405, body: { message: '405 Method Not Allowed' } };
    const head = await branchSha(ctx.project.dir, mr.source);
    if (typeof ctx.body.sha === 'string' && ctx.body.sha !== head) {
      return { status: 409, body: { message: 'SHA does not match HEAD of source branch' } };
    }
    const squash = ctx.body.squash === true;
    const outcome = await mergeBranches(
      ctx.project.dir,
      mr.target,
      mr.source,
      squash ? 'squash' : 'merge',
      `Merge branch '${mr.source}' into '${mr.target}'`,
    );
    if (!outcome.ok) return { status: 406, body: { message: 'Branch cannot be merged' } };
    Object.assign(mr, {
      state: 'merged',
      updatedAt: tick(),
      ...(squash ? { squashCommit: outcome.sha, mergeCommit: outcome.sha } : { mergeCommit: outcome.sha }),
    });
    return { status: 200, body: await render(ctx, mr) };
  },
  'PUT rebase': async (ctx) => {
    const mr = mrOf(ctx);
    if (!mr) return notFound;
    // GitLab rebases in the background; the fake does it now and reports it done on the next read.
    const ok = await rebaseBranch(ctx.project.dir, mr.source, mr.target);
    if (ok) delete mr.mergeError;
    else mr.mergeError = 'Rebase failed: Rebase locally, resolve all conflicts, then push the branch.';
    return { status: 202, body: { rebase_in_progress: true } };
  },
  'GET approvals': async (ctx) => {
    const mr = mrOf(ctx);
    if (!mr) return notFound;
    return {
      status: 200,
      body: {
        iid: mr.iid,
        approved: mr.approvedBy.length > 0,
        approved_by: mr.approvedBy.map((u) => ({ user: { username: u } })),
      },
    };
  },
  'GET notes': async (ctx) => {
    // In the order they were made unless asked otherwise (GitLab's default is newest first, but
    // autodev's review reading asks for none and expects the thread's order).
    const direction = ctx.query.get('sort') === 'desc' ? -1 : 1;
    const notes = ctx.project.notes
      .filter((n) => n.mr === Number(ctx.segments[1]))
      .sort((a, b) => direction * (Date.parse(a.createdAt) - Date.parse(b.createdAt) || a.id - b.id));
    return { status: 200, body: paged(notes, ctx.query).map(noteJson) };
  },
  'POST notes': async (ctx) => {
    const mr = mrOf(ctx);
    if (!mr) return notFound;
    const id = ctx.nextId();
    const note = {
      id,
      mr: mr.iid,
      discussion: `d${id}`,
      body: str(ctx.body.body),
      author: 'autodev',
      system: false,
      createdAt: tick(),
    };
    ctx.project.notes.push(note);
    mr.updatedAt = note.createdAt;
    return { status: 201, body: noteJson(note) };
  },
  'GET project': async (ctx) => ({ status: 200, body: projectJson(ctx.project, ctx.webUrl) }),
  'GET issues': async (ctx) => {
    // `updated_after` is inclusive ("updated on or after"), as GitLab's docs say.
    const after = Date.parse(ctx.query.get('updated_after') ?? '1970-01-01T00:00:00Z');
    const key = ctx.query.get('order_by') === 'updated_at' ? 'updatedAt' : 'createdAt';
    const direction = ctx.query.get('sort') === 'asc' ? 1 : -1;
    const issues = ctx.project.issues
      .filter((i) => Date.parse(i.updatedAt) >= after)
      .sort((a, b) => direction * (Date.parse(a[key]) - Date.parse(b[key])));
    return { status: 200, body: paged(issues, ctx.query).map((i) => issueJson(ctx.project, i, ctx.webUrl)) };
  },
  'GET issue notes': async (ctx) => {
    const iid = Number(ctx.segments[1]);
    if (!ctx.project.issues.some((i) => i.iid === iid)) return notFound;
    // GitLab's default order is newest first.
    const direction = ctx.query.get('sort') === 'asc' ? 1 : -1;
    const notes = ctx.project.issueNotes
      .filter((n) => n.issue === iid)
      .sort((a, b) => direction * (Date.parse(a.createdAt) - Date.parse(b.createdAt) || a.id - b.id));
    return { status: 200, body: paged(notes, ctx.query).map(issueNoteJson) };
  },
  'GET issue label events': async (ctx) => {
    const iid = Number(ctx.segments[1]);
    if (!ctx.project.issues.some((i) => i.iid === iid)) return notFound;
    const events = ctx.project.labelEvents.filter((e) => e.issue === iid);
    return { status: 200, body: paged(events, ctx.query).map(labelEventJson) };
  },
  'POST issue notes': async (ctx) => {
    const iid = Number(ctx.segments[1]);
    const issue = ctx.project.issues.find((i) => i.iid === iid);
    if (!issue) return notFound;
    const note = {
      id: ctx.nextId(),
      issue: iid,
      body: str(ctx.body.body),
      author: 'autodev',
      createdAt: tick(),
    };
    ctx.project.issueNotes.push(note);
    issue.updatedAt = note.createdAt;
    return { status: 201, body: issueNoteJson(note) };
  },
  'PUT issue note': async (ctx) => {
    const note = ctx.project.issueNotes.find(
      (n) => n.issue === Number(ctx.segments[1]) && n.id === Number(ctx.segments[3]),
    );
    if (!note) return notFound;
    note.body = str(ctx.body.body);
    const issue = ctx.project.issues.find((i) => i.iid === note.issue);
    if (issue) issue.updatedAt = tick();
    return { status: 200, body: issueNoteJson(note) };
  },
  'GET discussions': async (ctx) => {
    const notes = ctx.project.notes.filter((n) => n.mr === Number(ctx.segments[1]));
    const ids = [...new Set(notes.map((n) => n.discussion))];
    const discussions = ids.map((id) => ({
      id,
      individual_note: false,
      notes: notes.filter((n) => n.discussion === id).map(noteJson),
    }));
    return { status: 200, body: paged(discussions, ctx.query) };
  },
};
