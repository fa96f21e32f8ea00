import type { PullRequest } from '../domain/task.js';
import { AutodevError } from '../errors.js';

/**
 * The pull request's number on its hosted forge. A row without one (opened by the local forge before
 * the provider changed, or written by hand) cannot be addressed there: PR_NOT_FOUND, naming the task.
 */
export function forgeNumberOf(pr: PullRequest, forge: string): number {
  if (pr.number === null) {
    throw new AutodevError('PR_NOT_FOUND', `pull request of task ${pr.task_id} has no ${forge} number`);
  }
  return pr.number;
}
