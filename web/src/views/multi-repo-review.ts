import { h, link } from '../dom.js';
import type { PrDetail, Task, TaskEvent } from '../types.js';

/** A pull request of the task as the table shows it; approvals absent when GET /prs/{id} did not answer. */
type Row = Task['pull_requests'][number] & { approvals?: number };

/** Characters of a head commit shown; the whole one is the cell's title. */
const SHORT_COMMIT = 10;

/**
 * A multi-repo task's pull requests in merge order (the library's first, then each consumer's, then a
 * revert's): repository (linked when the forge gives a URL), role, branch, head commit, status, and
 * the approvals that count for each against what its risk tier asks.
 */
export function pullRequestsTable(prs: Row[], required: number | undefined): HTMLElement {
  return h(
    'table',
    { 'data-testid': 'task-pull-requests' },
    h(
      'thead',
      {},
      h(
        'tr',
        {},
        ...['Repository', 'Role', 'Branch', 'Head', 'Status', 'Approvals'].map((t) =>
          h('th', { scope: 'col' }, t),
        ),
      ),
    ),
    h(
      'tbody',
      {},
      ...prs.map((p) =>
        h(
          'tr',
          {},
          h('td', {}, p.url ? link(p.url, p.repo) : p.repo),
          h('td', {}, p.role),
          h('td', {}, p.branch),
          h('td', {}, h('code', { title: p.head_commit }, p.head_commit.slice(0, SHORT_COMMIT))),
          h('td', { class: 'status', 'data-status': p.status }, p.status),
          h('td', {}, approvalsCell(p, required)),
        ),
      ),
    ),
  );
}

/**
 * "1 of 1"; an open one short of its tier says how many it lacks. One that merged or closed short of
 * them (a low-risk task merges unreviewed) shows its count alone; a revert needs none.
 */
function approvalsCell(p: Row, required: number | undefined): string {
  if (p.role === 'revert' || p.approvals === undefined || required === undefined) return '—';
  const lacking = required - p.approvals;
  if (lacking <= 0) return `${p.approvals} of ${required}`;
  return p.status === 'open' ? `${p.approvals} of ${required}: lacks ${lacking}` : String(p.approvals);
}

/**
 * Where a multi-repo task's review stands, in words: waiting for approvals (naming the repositories
 * that lack them), queued to merge, merging, merged (in the order it merged), or failed with what
 * was reverted. Undefined when the task has no pull request yet or its status says it all.
 */
export function reviewState(
  task: Task,
  detail: PrDetail | undefined,
  events: TaskEvent[],
): string | undefined {
  const prs: Row[] = detail?.pull_requests ?? task.pull_requests;
  const changed = prs.filter((p) => p.role !== 'revert');
  const merge = pendingMerge(events);
  if (merge !== undefined && task.status === 'queued') return `Queued to merge (merge ${merge}).`;
  if (merge !== undefined && task.status === 'delivering') return `Merging (merge ${merge})…`;
  switch (task.status) {
    case 'awaiting_review': {
      if (!detail) return 'Waiting for review.';
      const lacking = changed.filter(
        (p) => p.status === 'open' && (p.approvals ?? 0) < detail.approvals_required,
      );
      if (lacking.length === 0) return approvedWaiting(task, events);
      return `Waiting for approvals: ${lacking
        .map((p) => `${p.repo} (${p.role}) has ${p.approvals ?? 0} of ${detail.approvals_required}`)
        .join('; ')}.`;
    }
    case 'merged': {
      const order = changed.filter((p) => p.status === 'merged').map((p) => `${p.repo} (${p.role})`);
      return `Merged, library first: ${order.join(', then ')}.`;
    }
    case 'failed': {
      if (task.error?.code !== 'MULTI_REPO_MERGE_FAILED') return undefined;
      const reverted = prs.filter((p) => p.role === 'revert' && p.status === 'merged').map((p) => p.repo);
      return `Merge failed, ${reverted.length ? `reverted: ${reverted.join(', ')}` : 'nothing merged to revert'}. ${task.error.message}`;
    }
    case 'closed':
      return 'Closed: every pull request of the task was closed unmerged.';
    default:
      return undefined;
  }
}

/** The merge the task is queued for or running: a `pr.merge_requested` no `pr.merge_finished` answered. */
function pendingMerge(events: TaskEvent[]): number | undefined {
  const last = events.filter((e) => e.type === 'pr.merge_requested').at(-1);
  if (!last) return undefined;
  const merge = Number(last.data.merge);
  const finished = events.some((e) => e.type === 'pr.merge_finished' && Number(e.data.merge) === merge);
  return finished ? undefined : merge;
}

/**
 * Every pull request approved and still waiting: high risk merges only on an explicit policy override,
 * and so does a change policy denied; else the merge is about to be queued.
 */
function approvedWaiting(task: Task, events: TaskEvent[]): string {
  const decision = events.filter((e) => e.type === 'policy.decision').at(-1)?.data;
  if (task.risk_tier === 'high' || decision?.allow === false)
    return `Approved; waiting for a policy override (${task.risk_tier === 'high' ? 'high risk' : 'policy denied the change'}).`;
  return 'Approved; waiting to be queued to merge.';
}
