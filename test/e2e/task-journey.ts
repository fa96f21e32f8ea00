import { expect } from 'vitest';
import type { FixtureRepo } from '../fixtures/repo.js';
import { api, as, submitTask, waitForTerminal } from '../helpers/api-client.js';
import { PYTHON_BUGGY_REPO, PYTHON_FIX_REPLY } from './fixtures.js';
import type { E2EHarness } from './harness.js';

/**
 * What the revert, rebase and forge journeys share: a repo whose tests pass before and after the
 * change, the change itself as the model's reply, a fixed commit author, and the task's events.
 */

/** Config overrides giving autodev's commits a known author, checked on the base branch after merging. */
export const ROBO_AUTHOR = {
  'git.git_author_name': '"Robo Author"',
  'git.git_author_email': '"robo@example.test"',
};

/** All tests pass before and after: the change adds an untested function, so its revert is green too. */
export const GREEN_REPO = {
  'calc.py': 'def add(a, b):\n    return a + b\n',
  'test_calc.py': 'from calc import add\n\n\ndef test_add():\n    assert add(2, 3) == 5\n',
};

/** The model's change on GREEN_REPO: a `sub` beside `add`. */
export const ADD_SUB_REPLY = [
  '```diff',
  '--- a/calc.py',
  '+++ b/calc.py',
  '@@ -1,2 +1,6 @@',
  ' def add(a, b):',
  '     return a + b',
  '+',
  '+',
  '+def sub(a, b):',
  '+    return a - b',
  '```',
].join('\n');

export interface TaskEvent {
  type: string;
  data: Record<string, unknown>;
}

/** The task's events through the HTTP API, oldest first. */
export async function taskEvents(baseUrl: string, id: string): Promise<TaskEvent[]> {
  return ((await api(baseUrl, `/api/v1/autodev/tasks/${id}/events`)).body as { events: TaskEvent[] }).events;
}

/** The review's answer: a docstring on mul, as the reviewer asked; the tests still pass. */
export const REVIEW_REPLY = [
  'calc.py',
  '<<<<<<< SEARCH',
  'def mul(a, b):',
  '    return a * b',
  '=======',
  'def mul(a, b):',
  '    """Multiply a by b."""',
  '    return a * b',
  '>>>>>>> REPLACE',
].join('\n');

/**
 * The medium-risk journey's first half, shared by the store and engine suites: the buggy repo, the
 * fix, a task that must end awaiting review without an error, then alice's approval through the API.
 */
export async function approveMediumFix(h: E2EHarness): Promise<{
  repo: FixtureRepo;
  taskId: string;
  mainBefore: string | undefined;
  approved: Awaited<ReturnType<typeof api>>;
}> {
  const repo = await h.newRepo(PYTHON_BUGGY_REPO);
  h.model.push({ text: PYTHON_FIX_REPLY });
  const created = await submitTask(h.server.baseUrl, {
    title: 'Fix add (medium)',
    description: 'add(2, 3) must return 5.',
    repo: repo.origin,
    risk_tier: 'medium',
  });
  const waiting = await waitForTerminal(h.server.baseUrl, created.id);
  expect(waiting.error).toBeNull();
  expect(waiting.status).toBe('awaiting_review');
  const mainBefore = await repo.branchCommit('main');
  const approved = await api(h.server.baseUrl, `/api/v1/autodev/prs/${created.id}/approve`, {
    method: 'POST',
    body: JSON.stringify({ comment: 'looks right' }),
    headers: as('alice'),
  });
  expect(approved.status, approved.text).toBe(200);
  return { repo, taskId: created.id, mainBefore, approved };
}
