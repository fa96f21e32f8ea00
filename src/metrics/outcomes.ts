import type { Task } from '../domain/task.js';
import type { Store } from '../store/index.js';
import type { AutodevMetrics } from './registry.js';

/**
 * Denials that mean a check failed (tests, lint, secrets, a constraint) or nothing decided (OPA
 * down): a task held for review with one of these did not deliver a checked change. The others only
 * ask a human to look (risk tier, schema, dependencies, touched tests).
 */
const CHECK_FAILURES: ReadonlySet<string> = new Set([
  'TESTS_FAILED',
  'TESTS_UNAVAILABLE',
  'LINT_INTRODUCED',
  'LINT_UNAVAILABLE',
  'SECRETS_FOUND',
  'BASELINE_TESTS_MISSING',
  'CONSTRAINT_VIOLATED',
]);

export function checksPassed(decision: { fallback?: boolean; deny: readonly { code: string }[] }): boolean {
  return decision.fallback !== true && !decision.deny.some((d) => CHECK_FAILURES.has(d.code));
}

/**
 * autodev_tasks_success_total counts a task once, when it first delivered: merged, or left awaiting
 * review with its checks passed. The `task.delivered` event is the once: a review round back to
 * awaiting_review or a later merge of the same task does not count it again.
 */
export async function countDelivered(
  store: Pick<Store, 'events'>,
  metrics: Pick<AutodevMetrics, 'tasksSuccessTotal'>,
  taskId: string,
  as: 'merged' | 'awaiting_review',
): Promise<void> {
  const events = await store.events.list(taskId);
  if (events.some((e) => e.type === 'task.delivered')) return;
  await store.events.append(taskId, 'task.delivered', { as });
  metrics.tasksSuccessTotal.inc();
}

/** A merge landed: autodev_merges_total, and autodev_reverts_total when what merged is a revert. */
export function countMerge(
  metrics: Pick<AutodevMetrics, 'mergesTotal' | 'revertsTotal'>,
  task: Pick<Task, 'reverts_task_id'>,
): void {
  metrics.mergesTotal.inc();
  if (task.reverts_task_id) metrics.revertsTotal.inc();
}
