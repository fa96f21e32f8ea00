import { call, stream } from '../api.js';
import { button, h, link } from '../dom.js';
import { duration, usd } from '../format.js';
import type { LogLine, PrDetail, Step, Task, TaskEvent, TaskRepo } from '../types.js';
import { pullRequestsTable, reviewState } from './multi-repo-review.js';

/** Rows per page of the steps timeline and the audit trail: a task with thousands stays responsive. */
const PAGE = 100;
/**
 * Stored log chunks per page of the command log. A 20 MB log is read a page at a time, never whole:
 * opening the page costs one page, whatever the log's size.
 */
const LOG_PAGE = 200;
/** Characters of one chunk shown (the store keeps up to 256 K of each): a page stays a few MB at most. */
const MAX_CHUNK_CHARS = 8192;

const TERMINAL = new Set(['awaiting_review', 'merged', 'closed', 'failed', 'cancelled']);

/** One task: everything about it, refreshed from its event stream while it runs. */
export function taskPage(id: string, signal: AbortSignal): HTMLElement {
  const root = h('section', { 'aria-label': 'Task' });
  const heading = h('h1', {}, 'Task');
  const statusLine = h('p', { role: 'status', 'aria-live': 'polite' });
  const actions = h('div', { class: 'actions', role: 'group', 'aria-label': 'Actions' });
  const actionStatus = h('p', { role: 'alert', class: 'action-status' });
  const summary = h('div');
  const repositories = h('div');
  const plan = h('div');
  const steps = h('div');
  const policy = h('div');
  const diff = h('div');
  const pr = h('div');
  // A labelled <pre> needs a role that takes a name (axe: aria-prohibited-attr): a log is one.
  const log = h('pre', { class: 'log', role: 'log', 'aria-label': 'Command log', tabindex: 0 });
  const logPager = h('div');
  const audit = h('div');
  root.append(
    heading,
    statusLine,
    actions,
    actionStatus,
    section('Summary', summary),
    section('Repositories', repositories),
    section('Plan', plan),
    section('Steps', steps),
    section('Policy decision', policy),
    section('Diff', diff),
    section('Pull request', pr),
    section('Log', h('div', {}, log, logPager)),
    section('Audit trail', audit),
  );

  let stepPage = 0;
  let auditPage = 0;
  // The log's pages: where each visited page starts (the id its first chunk comes after), the last
  // chunk shown, and how many chunks the page holds. A page with room fills as a running task logs.
  const logStarts = [0];
  let logPage = 0;
  let logLast = 0;
  let logShown = 0;
  // A page change while a load is in flight must not mix the two pages' chunks.
  let logGeneration = 0;
  let events: TaskEvent[] = [];
  let task: Task | undefined;
  /** Set below: listens to the task's events again when a refresh finds it moving after it rested. */
  let followMoving: (status: string) => void = () => undefined;

  const act = async (label: string, method: 'POST', path: string, body?: unknown) => {
    actionStatus.textContent = `${label}…`;
    try {
      await call(method, path, body);
      actionStatus.textContent = `${label}: done`;
    } catch (error) {
      actionStatus.textContent = `${label} failed: ${error instanceof Error ? error.message : String(error)}`;
    }
    await refresh();
  };

  // The actions are rebuilt only when the set of them changes. Every event refreshes the page (and
  // opening it replays the stored events, so a second refresh follows the first): rebuilt each time,
  // a review comment being typed was wiped, and a click could land on a button already replaced.
  let actionsKey = '';
  const renderActions = (t: Task) => {
    const key = `${t.status}|${t.pr?.status ?? ''}`;
    if (key === actionsKey) return;
    actionsKey = key;
    const typed = (actions.querySelector('#review-comment') as HTMLInputElement | null)?.value ?? '';
    const list: HTMLElement[] = [];
    if (!TERMINAL.has(t.status))
      list.push(button('Cancel', () => act('Cancel', 'POST', `/tasks/${id}/cancel`)));
    if (t.pr?.status === 'open') {
      const comment = h('input', { id: 'review-comment', name: 'comment', value: typed }) as HTMLInputElement;
      list.push(
        h('label', { for: 'review-comment' }, 'Review comment'),
        comment,
        button('Approve', () => act('Approve', 'POST', `/prs/${id}/approve`, reviewBody(comment))),
        button('Request changes', () =>
          act('Request changes', 'POST', `/prs/${id}/request-changes`, reviewBody(comment)),
        ),
        button('Merge', () => act('Merge', 'POST', `/prs/${id}/merge`, {})),
        button('Close', () => act('Close', 'POST', `/prs/${id}/close`, reviewBody(comment))),
      );
    }
    if (t.status === 'merged')
      list.push(button('Revert', () => act('Revert', 'POST', `/tasks/${id}/revert`)));
    if (TERMINAL.has(t.status)) {
      // Replay through the API: the same task submitted again (the CLI's replay re-runs recorded model turns).
      list.push(
        button('Run again', () =>
          act('Run again', 'POST', '/tasks', {
            title: t.title,
            description: t.description,
            // All of a multi-repo task's repositories again, never its library alone.
            ...(t.repos.length > 1 ? { repos: t.repos } : { repo: t.repo, base_branch: t.base_branch }),
            risk_tier: t.risk_tier,
            constraints: t.constraints,
            acceptance: t.acceptance,
          }),
        ),
      );
    }
    actions.replaceChildren(...list);
  };

  const renderSteps = (all: Step[]) => {
    const pages = Math.max(1, Math.ceil(all.length / PAGE));
    stepPage = Math.min(stepPage, pages - 1);
    const shown = all.slice(stepPage * PAGE, (stepPage + 1) * PAGE);
    const table = h(
      'table',
      {},
      h(
        'thead',
        {},
        h(
          'tr',
          {},
          ...['#', 'Step', 'Tool', 'Status', 'Attempts', 'Duration', 'Output'].map((t) =>
            h('th', { scope: 'col' }, t),
          ),
        ),
      ),
      h(
        'tbody',
        {},
        ...shown.map((s) =>
          h(
            'tr',
            {},
            h('td', {}, String(s.seq)),
            h('td', {}, s.key),
            h('td', {}, s.tool),
            h('td', { class: 'status', 'data-status': s.status }, s.status),
            h('td', {}, String(s.attempts)),
            h('td', {}, duration(s.duration_ms)),
            h('td', {}, s.error ? `${s.error.code}: ${s.error.message}` : (s.output_summary ?? '')),
          ),
        ),
      ),
    );
    steps.replaceChildren(
      table,
      pager('steps', stepPage, pages, (p) => {
        stepPage = p;
        renderSteps(all);
      }),
    );
  };

  const renderAudit = () => {
    const pages = Math.max(1, Math.ceil(events.length / PAGE));
    auditPage = Math.min(auditPage, pages - 1);
    const shown = events.slice(auditPage * PAGE, (auditPage + 1) * PAGE);
    audit.replaceChildren(
      h(
        'ol',
        { class: 'audit' },
        ...shown.map((e) => h('li', {}, `${e.created_at} ${e.type} ${JSON.stringify(e.data)}`)),
      ),
      pager('audit trail', auditPage, pages, (p) => {
        auditPage = p;
        renderAudit();
      }),
    );
  };

  const renderPolicy = () => {
    const decision = [...events].reverse().find((e) => e.type === 'policy.decision')?.data;
    if (!decision) {
      policy.replaceChildren(h('p', {}, 'No decision yet.'));
      return;
    }
    const deny = Array.isArray(decision.deny) ? (decision.deny as { code: string; message: string }[]) : [];
    const counts = (v: unknown) => (v && typeof v === 'object' ? JSON.stringify(v) : '—');
    const lint = Array.isArray(decision.lint_warnings) ? (decision.lint_warnings as unknown[]) : [];
    const deps = Array.isArray(decision.dependency_changes) ? (decision.dependency_changes as unknown[]) : [];
    policy.replaceChildren(
      h(
        'p',
        { 'data-testid': 'policy-outcome' },
        `Allowed: ${String(decision.allow)}; fallback: ${decision.fallback === true ? 'yes' : 'no'}`,
      ),
      deny.length
        ? h(
            'ul',
            { 'aria-label': 'Denials' },
            ...deny.map((d) => h('li', {}, h('code', {}, d.code), ` ${d.message}`)),
          )
        : h('p', {}, 'No denials.'),
      h('p', {}, `Tests before: ${counts(decision.tests_before)}; after: ${counts(decision.tests_after)}`),
      h('p', {}, `Lint introduced: ${lint.length ? lint.map((l) => JSON.stringify(l)).join('; ') : 'none'}`),
      h(
        'p',
        {},
        `Dependency changes: ${deps.length ? deps.map((d) => JSON.stringify(d)).join('; ') : 'none'}`,
      ),
    );
  };

  const loadDiff = async () => {
    const { rounds } = await call<{
      rounds: { step_key: string; files: string[]; patch: string; final_text: string }[];
    }>('GET', `/tasks/${id}/diff`);
    diff.replaceChildren(
      ...(rounds.length ? rounds : []).flatMap((r) => [
        h('h3', {}, `${r.step_key}: ${r.files.join(', ')}`),
        h(
          'pre',
          { class: 'diff', role: 'group', 'aria-label': `Diff of ${r.step_key}`, tabindex: 0 },
          ...r.patch.split('\n').map(diffLine),
        ),
        h('p', { class: 'model-text' }, r.final_text),
      ]),
    );
    if (rounds.length === 0) diff.replaceChildren(h('p', {}, 'No change yet.'));
  };

  const loadPr = async (t: Task) => {
    if (!t.pr) {
      pr.replaceChildren(h('p', {}, 'No pull request yet.'));
      return;
    }
    const parts: HTMLElement[] = [
      h(
        'p',
        {},
        `Status: ${t.pr.status}; branch ${t.pr.branch}`,
        t.pr.url ? ' ' : '',
        t.pr.url ? link(t.pr.url, 'Open the pull request') : '',
      ),
    ];
    let detail: PrDetail | undefined;
    try {
      detail = await call<PrDetail>('GET', `/prs/${id}`);
      parts.push(
        h('p', {}, `Approvals: ${detail.approvals} of ${detail.approvals_required}`),
        h(
          'ul',
          { 'aria-label': 'Reviews' },
          ...detail.reviews.map((r) => h('li', {}, `${r.by} ${r.kind}: ${r.comment ?? ''}`)),
        ),
      );
    } catch {
      // A hosted forge's pull request: its reviews live on the forge.
    }
    // A multi-repo task: where its review stands, and every repository's pull request (and a
    // revert's) in merge order, each with the approvals that count for it.
    if (t.repos.length > 1) {
      const state = reviewState(t, detail, events);
      if (state) parts.push(h('p', { 'data-testid': 'review-state' }, state));
      parts.push(pullRequestsTable(detail?.pull_requests ?? t.pull_requests, detail?.approvals_required));
    }
    pr.replaceChildren(...parts);
  };

  const loadLogs = async () => {
    const generation = logGeneration;
    if (logShown < LOG_PAGE) {
      const { logs } = await call<{ logs: LogLine[] }>(
        'GET',
        `/tasks/${id}/logs?after=${logLast}&limit=${LOG_PAGE - logShown}`,
      );
      if (generation !== logGeneration) return;
      for (const l of logs)
        log.append(h('span', { class: l.stream }, `[${l.step_key}] ${chunkText(l.content)}`));
      logShown += logs.length;
      logLast = logs.at(-1)?.id ?? logLast;
    }
    // One chunk past a full page tells whether there is a next page.
    const more =
      logShown >= LOG_PAGE &&
      (await call<{ logs: LogLine[] }>('GET', `/tasks/${id}/logs?after=${logLast}&limit=1`)).logs.length > 0;
    if (generation !== logGeneration) return;
    const first = logPage * LOG_PAGE + 1;
    logPager.replaceChildren(
      logPage === 0 && !more
        ? h('span')
        : pagerNav('log', `chunks ${first}–${first + logShown - 1}`, logPage > 0, more, goLogPage),
    );
  };

  const goLogPage = (step: -1 | 1) => {
    logGeneration += 1;
    if (step === 1) logStarts[logPage + 1] = logLast;
    logPage += step;
    logLast = logStarts[logPage] ?? 0;
    logShown = 0;
    log.replaceChildren();
    logPager.replaceChildren();
    void loadLogs().catch((error: unknown) => {
      actionStatus.textContent = error instanceof Error ? error.message : String(error);
    });
  };

  const refresh = async () => {
    const t = await call<Task>('GET', `/tasks/${id}`);
    task = t;
    followMoving(t.status);
    heading.textContent = t.title;
    document.title = `${t.title} · autodev`;
    statusLine.replaceChildren(
      'Status: ',
      h('span', { class: 'status', 'data-status': t.status, 'data-testid': 'task-status' }, t.status),
      t.error ? ` (${t.error.code}: ${t.error.message})` : '',
    );
    summary.replaceChildren(
      h('p', {}, `Repository: ${t.repo} (${t.base_branch}); risk tier: ${t.risk_tier}`),
      h('p', { class: 'description' }, t.description),
      h(
        'p',
        {},
        `Cost: ${t.cost.input_tokens} input tokens, ${t.cost.output_tokens} output tokens, ${usd(t.cost.usd)}`,
      ),
    );
    repositories.replaceChildren(reposTable(t.repos));
    plan.replaceChildren(
      t.plan
        ? h(
            'div',
            {},
            h('p', {}, t.plan.summary),
            h('ol', {}, ...t.plan.steps.map((s) => h('li', {}, `${s.phase} · ${s.tool}: ${s.description}`))),
          )
        : h('p', {}, 'Not planned yet.'),
    );
    renderSteps(t.steps);
    renderActions(t);
    const fetched = await call<{ events: TaskEvent[] }>('GET', `/tasks/${id}/events`);
    events = fetched.events;
    renderAudit();
    renderPolicy();
    await Promise.all([loadDiff(), loadPr(t), loadLogs()]);
  };

  // Refresh on each event, at most one refresh at a time (events arrive in bursts).
  let busy = false;
  let again = false;
  const scheduleRefresh = () => {
    if (busy) {
      again = true;
      return;
    }
    busy = true;
    void refresh()
      .catch(
        (error: unknown) =>
          (actionStatus.textContent = error instanceof Error ? error.message : String(error)),
      )
      .finally(() => {
        busy = false;
        if (again && !signal.aborted) {
          again = false;
          scheduleRefresh();
        }
      });
  };
  // The server ends the stream once the task rests (awaiting review, merged, ...). An approval that
  // queues a multi-repo task's merge, a review round or a revert moves it on: a refresh that finds it
  // moving listens again, at most once a second (a server refusing streams is not hammered).
  let listening = false;
  let listenedAt = 0;
  let relisten: ReturnType<typeof setTimeout> | undefined;
  const listen = () => {
    relisten = undefined;
    if (listening || signal.aborted) return;
    listening = true;
    listenedAt = Date.now();
    void stream(`/tasks/${id}/events`, () => scheduleRefresh(), signal)
      .catch(() => undefined)
      .finally(() => {
        listening = false;
        if (!signal.aborted && task && !TERMINAL.has(task.status)) scheduleRefresh();
      });
  };
  followMoving = (status) => {
    if (listening || relisten !== undefined || signal.aborted || TERMINAL.has(status)) return;
    relisten = setTimeout(listen, Math.max(0, listenedAt + 1000 - Date.now()));
  };
  signal.addEventListener('abort', () => clearTimeout(relisten));
  scheduleRefresh();
  listen();
  return root;
}

/** Each repository of the task with its base branch and role (library, consumer). */
function reposTable(repos: TaskRepo[]): HTMLElement {
  return h(
    'table',
    { 'data-testid': 'task-repos' },
    h(
      'thead',
      {},
      h('tr', {}, ...['Repository', 'Base branch', 'Role'].map((t) => h('th', { scope: 'col' }, t))),
    ),
    h(
      'tbody',
      {},
      ...repos.map((r) => h('tr', {}, h('td', {}, r.repo), h('td', {}, r.base_branch), h('td', {}, r.role))),
    ),
  );
}

function section(title: string, body: HTMLElement): HTMLElement {
  return h('section', { 'aria-label': title }, h('h2', {}, title), body);
}

function diffLine(line: string): HTMLElement {
  const kind = line.startsWith('+')
    ? 'add'
    : line.startsWith('-')
      ? 'del'
      : line.startsWith('@@')
        ? 'hunk'
        : 'ctx';
  return h('span', { class: kind }, `${line}\n`);
}

function reviewBody(comment: HTMLInputElement): Record<string, string> {
  return comment.value ? { comment: comment.value } : {};
}

function pager(what: string, page: number, pages: number, go: (page: number) => void): HTMLElement {
  if (pages <= 1) return h('span');
  return pagerNav(what, `page ${page + 1} of ${pages}`, page > 0, page < pages - 1, (step) =>
    go(page + step),
  );
}

function pagerNav(
  what: string,
  where: string,
  hasPrevious: boolean,
  hasNext: boolean,
  go: (step: -1 | 1) => void,
): HTMLElement {
  const prev = button('Previous', () => go(-1), `Previous page of ${what}`);
  const next = button('Next', () => go(1), `Next page of ${what}`);
  prev.disabled = !hasPrevious;
  next.disabled = !hasNext;
  return h('nav', { 'aria-label': `Pages of ${what}` }, prev, h('span', {}, ` ${where} `), next);
}

function chunkText(content: string): string {
  if (content.length <= MAX_CHUNK_CHARS) return content;
  return `${content.slice(0, MAX_CHUNK_CHARS)}\n[... ${content.length - MAX_CHUNK_CHARS} more characters; the whole log: GET /api/v1/autodev/tasks/ID/logs]\n`;
}
