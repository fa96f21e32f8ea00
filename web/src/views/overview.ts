import { call } from '../api.js';
import { h } from '../dom.js';
import { duration, usd } from '../format.js';

interface Overview {
  tasks_by_status: { status: string; count: number }[];
  success_rate: number | null;
  median_duration_seconds: number | null;
  cost_per_day: { day: string; usd: number; tasks: number }[];
  denials_by_code: { code: string; count: number }[];
  slowest_steps: { tool: string; count: number; avg_ms: number; max_ms: number }[];
}

/** Across all tasks, from GET /overview (the store, not Prometheus). */
export function overview(): HTMLElement {
  const root = h('section', { 'aria-label': 'Overview' }, h('h1', {}, 'Overview'));
  void call<Overview>('GET', '/overview').then((o) => {
    root.append(
      h(
        'p',
        { 'data-testid': 'success-rate' },
        `Success rate: ${o.success_rate === null ? '—' : `${Math.round(o.success_rate * 100)}%`}`,
      ),
      h(
        'p',
        {},
        `Median duration: ${o.median_duration_seconds === null ? '—' : duration(o.median_duration_seconds * 1000)}`,
      ),
      table(
        'Tasks by status',
        ['Status', 'Tasks'],
        o.tasks_by_status.map((r) => [r.status, String(r.count)]),
      ),
      table(
        'Cost per day',
        ['Day', 'Tasks', 'Cost'],
        o.cost_per_day.map((r) => [r.day, String(r.tasks), usd(r.usd)]),
      ),
      table(
        'Policy denials by code',
        ['Code', 'Denials'],
        o.denials_by_code.map((r) => [r.code, String(r.count)]),
      ),
      table(
        'Slowest steps',
        ['Tool', 'Runs', 'Average', 'Longest'],
        o.slowest_steps.map((r) => [r.tool, String(r.count), duration(r.avg_ms), duration(r.max_ms)]),
      ),
    );
  });
  return root;
}

function table(title: string, head: string[], rows: string[][]): HTMLElement {
  return h(
    'section',
    { 'aria-label': title },
    h('h2', {}, title),
    h(
      'table',
      {},
      h('thead', {}, h('tr', {}, ...head.map((t) => h('th', { scope: 'col' }, t)))),
      h('tbody', {}, ...rows.map((r) => h('tr', {}, ...r.map((c) => h('td', {}, c))))),
    ),
  );
}
