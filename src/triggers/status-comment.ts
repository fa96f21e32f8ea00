import type { PullRequest, Task, TaskEvent } from '../domain/task.js';

/** Statuses after which the status comment changes no more (awaiting_review still may: a merge). */
export const FINAL_STATUSES: ReadonlySet<Task['status']> = new Set([
  'merged',
  'closed',
  'failed',
  'cancelled',
]);

export interface StatusFacts {
  task: Task;
  pr: PullRequest | undefined;
  /** Instructions added by later triggers while the task ran (who asked). */
  added: TaskEvent[];
  /** Where the task's API view is (public_url + path, or the path alone). */
  taskLink: string;
}

/**
 * The one comment autodev keeps on an issue, rewritten as its task moves: queued, working, pull
 * request opened, merged or failed with the reason. Built from the stored task each time, so an update
 * that arrives late never shows an older state than the store holds.
 */
export function renderStatusComment(facts: StatusFacts): string {
  const { task, pr } = facts;
  const prRef = pr ? (pr.url ?? `pull request of task ${task.id}`) : undefined;
  const lines = [`**autodev** task [\`${task.id}\`](${facts.taskLink}): ${stateLine(task, prRef)}`];
  if (facts.added.length > 0) {
    const who = [...new Set(facts.added.map((e) => String(e.data['by'] ?? 'someone')))];
    lines.push(
      '',
      `${facts.added.length} more instruction(s) added to this task while it ran (from ${who.map((w) => `@${w}`).join(', ')}).`,
    );
  }
  return lines.join('\n');
}

function stateLine(task: Task, prRef: string | undefined): string {
  switch (task.status) {
    case 'queued':
      return 'queued.';
    case 'planning':
    case 'executing':
    case 'verifying':
    case 'delivering':
      return `working (${task.status}).`;
    case 'awaiting_review':
      return `pull request opened: ${prRef ?? '(none)'}; waiting for review.`;
    case 'merged':
      return `merged: ${prRef ?? '(none)'}.`;
    case 'closed':
      return `pull request closed unmerged: ${prRef ?? '(none)'}.`;
    case 'cancelled':
      return 'cancelled.';
    case 'failed':
      return `failed: ${task.error ? `${task.error.code}: ${task.error.message}` : 'no reason recorded'}.`;
  }
}
