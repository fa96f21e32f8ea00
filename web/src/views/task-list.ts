import { call, stream } from '../api.js';
import { h, link } from '../dom.js';
import { between, usd } from '../format.js';
import type { TaskEvent, TaskSummary } from '../types.js';

const STATUSES = [
  'queued',
  'planning',
  'executing',
  'verifying',
  'delivering',
  'awaiting_review',
  'merged',
  'closed',
  'failed',
  'cancelled',
];

/**
 * The task table with the API's filters and cursor paging; rows follow the every-task event stream
 * (a status cell changes in place, a new task reloads the first page) without a page reload.
 */
export function taskList(signal: AbortSignal): HTMLElement {
  const status = select('Status', 'status', ['', ...STATUSES]);
  const risk = select('Risk tier', 'risk_tier', ['', 'low', 'medium', 'high']);
  const repoInput = h('input', { id: 'filter-repo', name: 'repo' }) as HTMLInputElement;
  const body = h('tbody');
  const pageInfo = h('p', { role: 'status' });
  const cursors: (string | null)[] = [null];
  let page = 0;
  let nextCursor: string | null = null;

  const load = async () => {
    const query = new URLSearchParams({ limit: '50' });
    if (status.control.value) query.set('status', status.control.value);
    if (risk.control.value) query.set('risk_tier', risk.control.value);
    if (repoInput.value) query.set('repo', repoInput.value);
    const cursor = cursors[page];
    if (cursor) query.set('cursor', cursor);
    const result = await call<{ tasks: TaskSummary[]; next_cursor: string | null }>(
      'GET',
      `/tasks?${query.toString()}`,
    );
    nextCursor = result.next_cursor;
    body.replaceChildren(...result.tasks.map(row));
    pageInfo.textContent = `Page ${page + 1}, ${result.tasks.length} tasks`;
    prev.disabled = page === 0;
    next.disabled = nextCursor === null;
  };
  const prev = h('button', { type: 'button' }, 'Previous page') as HTMLButtonElement;
  const next = h('button', { type: 'button' }, 'Next page') as HTMLButtonElement;
  prev.addEventListener('click', () => {
    page = Math.max(0, page - 1);
    void load();
  });
  next.addEventListener('click', () => {
    if (nextCursor === null) return;
    page += 1;
    cursors[page] = nextCursor;
    void load();
  });
  const filters = h('form', { class: 'filters', 'aria-label': 'Filter tasks' });
  filters.append(
    status.wrapper,
    risk.wrapper,
    h('div', { class: 'field' }, h('label', { for: 'filter-repo' }, 'Repository'), repoInput),
    h('button', { type: 'submit' }, 'Filter'),
  );
  filters.addEventListener('submit', (event) => {
    event.preventDefault();
    page = 0;
    cursors.length = 1;
    void load();
  });

  void load();
  void stream(
    '/events',
    (_type, data) => {
      const e = data as TaskEvent;
      if (e.type === 'task.created' && page === 0) void load();
      if (e.type === 'task.status_changed' && e.task_id) {
        const cell = body.querySelector(`tr[data-testid="task-${CSS.escape(e.task_id)}"] .status`);
        if (cell) {
          cell.textContent = String(e.data.to);
          cell.setAttribute('data-status', String(e.data.to));
        }
      }
    },
    signal,
  ).catch(() => undefined);

  return h(
    'section',
    { 'aria-label': 'Tasks' },
    h('h1', {}, 'Tasks'),
    filters,
    h(
      'table',
      {},
      h(
        'thead',
        {},
        h(
          'tr',
          {},
          ...['Title', 'Repository', 'Risk tier', 'Status', 'Age', 'Duration', 'Cost'].map((t) =>
            h('th', { scope: 'col' }, t),
          ),
        ),
      ),
      body,
    ),
    h('nav', { 'aria-label': 'Pages' }, prev, next, pageInfo),
  );
}

function row(t: TaskSummary & { cost?: { usd: number } }): HTMLElement {
  return h(
    'tr',
    { 'data-testid': `task-${t.id}` },
    h('td', {}, link(`#/tasks/${t.id}`, t.title)),
    h('td', {}, t.repo),
    h('td', {}, t.risk_tier),
    h('td', { class: 'status', 'data-status': t.status }, t.status),
    h('td', {}, between(t.created_at, null)),
    h('td', {}, t.finished_at ? between(t.created_at, t.finished_at) : '—'),
    h('td', {}, t.cost ? usd(t.cost.usd) : '—'),
  );
}

function select(label: string, name: string, options: string[]) {
  const id = `filter-${name}`;
  const control = h(
    'select',
    { id, name },
    ...options.map((o) => h('option', { value: o }, o === '' ? 'any' : o)),
  ) as HTMLSelectElement;
  return { control, wrapper: h('div', { class: 'field' }, h('label', { for: id }, label), control) };
}
