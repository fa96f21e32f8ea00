import type { Task } from '../domain/task.js';

/** Marks an acceptance check that came from the plan, so the PR body and reviewers can tell it from the user's. */
export const PLAN_CHECK_MARKER = '(plan) ';

/**
 * The task's acceptance criteria: the user's, then the plan's checks marked as the plan's. Derived
 * from the stored plan each time, so the user's own list is never rewritten.
 */
export function acceptanceChecks(task: Pick<Task, 'acceptance' | 'plan'>): string[] {
  const fromPlan = (task.plan?.checks ?? [])
    .filter((check) => !task.acceptance.includes(check))
    .map((check) => `${PLAN_CHECK_MARKER}${check}`);
  return [...task.acceptance, ...fromPlan];
}
