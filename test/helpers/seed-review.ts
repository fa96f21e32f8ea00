import type { Store } from '../../src/store/index.js';

/**
 * A medium-risk task with an open local pull request, awaiting review, seeded through the store:
 * what a webhook or a poll acts on, without running a task to get there.
 */
export async function seedAwaitingReview(store: Store): Promise<string> {
  const task = await store.tasks.create({
    title: 'Fix add',
    description: 'add(2, 3) must return 5.',
    repo: '/srv/git/calc.git',
    repo_normalized: '/srv/git/calc.git',
    base_branch: 'main',
    risk_tier: 'medium',
    constraints: [],
    acceptance: [],
  });
  await store.pullRequests.insertOnce({
    task_id: task.id,
    forge: 'local',
    repo: task.repo,
    branch: `autodev/${task.id}-fix-add`,
    base_branch: 'main',
    number: null,
    url: null,
    title: task.title,
    head_commit: 'a'.repeat(40),
  });
  await store.tasks.transition(task.id, 'queued', 'awaiting_review');
  return task.id;
}
