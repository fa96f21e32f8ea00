import { chmod, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { git } from '../fixtures/repo.js';
import { api, as, submitTask, waitForTask, waitForTerminal, type TaskJson } from '../helpers/api-client.js';
import { gatedOrigin, startGateKeeper, type GateKeeper } from './gates.js';
import {
  greetingEdit,
  NPM_LIBRARY_REPO,
  npmConsumerRepo,
  repoNameOf,
  welcomeEdit,
} from './multi-repo-fixtures.js';
import { startE2E, type E2EHarness } from './harness.js';

const stepStatus = (task: TaskJson, key: string) => task.steps.find((s) => s.key === key)?.status;

/** Every update of main the origin accepted, one line each (its post-receive hook runs after it). */
async function logMainUpdates(origin: string): Promise<() => Promise<string[]>> {
  const log = join(origin, 'main-updates.log');
  const hook = join(origin, 'hooks', 'post-receive');
  await writeFile(
    hook,
    `#!/bin/sh\nwhile read old new ref; do\n  if [ "$ref" = refs/heads/main ]; then echo "$old $new" >> "${log}"; fi\ndone\n`,
  );
  await chmod(hook, 0o755);
  return async () =>
    (await readFile(log, 'utf8').catch(() => '')).split('\n').filter((line) => line.length > 0);
}

/**
 * A multi-repo task killed (SIGKILL) between its pull requests' merges: the library's merged, the
 * user's merge held in its origin's pre-receive hook (gates.ts), so the kill finds it in flight.
 * After a restart on the same data the task resumes from its checkpoints: the library's merge is
 * not done again, the user's completes, and the task ends merged.
 */
describe('a multi-repo task killed between the library merge and its user merge', () => {
  let h: E2EHarness;
  let consumerFiles: Record<string, string | Buffer>;
  const keepers: GateKeeper[] = [];
  beforeAll(async () => {
    [h, consumerFiles] = await Promise.all([
      // Named users: the approval of the reviewed task counts only from them.
      startE2E({ max_step_retries: 1 }, { auth: true }),
      npmConsumerRepo(),
    ]);
  }, 120_000);
  afterEach(async () => {
    // A failed test must not leave a push waiting at a gate behind it.
    await Promise.all(keepers.splice(0).map((k) => k.stop()));
  });
  afterAll(() => h?.close());

  it('resumes after the restart: the library merged once, its user merged, the task merged', async () => {
    const library = await h.newRepo(NPM_LIBRARY_REPO);
    const consumer = await h.newRepo(consumerFiles);
    const consumerName = repoNameOf(consumer.origin, 2);
    const userMerge = `deliver.pr_merge@${consumerName}#1`;
    const libraryMainBefore = await library.branchCommit('main');
    const libraryMainUpdates = await logMainUpdates(library.origin);

    const watched: { taskId?: string } = {};
    // The user's origin holds a push while the user's merge step runs: its branch push passes.
    const keeper = startGateKeeper(async (gate) => {
      if (gate !== 'push' || watched.taskId === undefined) return false;
      const { body } = await api(h.server.baseUrl, `/api/v1/autodev/tasks/${watched.taskId}`);
      return stepStatus(body as TaskJson, userMerge) === 'running';
    });
    keepers.push(keeper);
    keeper.watch(await gatedOrigin(consumer.origin));

    h.model.push(greetingEdit('hi'), welcomeEdit(consumerName, '', "module.exports = 'hi';\n"), {
      text: 'The library and its user greet anew.',
    });
    const modelCallsBefore = h.model.requests.length;
    const created = await submitTask(h.server.baseUrl, {
      title: 'Greet with hi, killed between merges',
      repos: [
        { repo: library.origin, role: 'library' },
        { repo: consumer.origin, role: 'consumer' },
      ],
    });
    watched.taskId = created.id;
    const killed = await waitForTask(
      h.server.baseUrl,
      created.id,
      (t) => stepStatus(t, userMerge) === 'running',
      180_000,
    );
    expect(stepStatus(killed, 'deliver.pr_merge#1')).toBe('succeeded');
    const libraryMainMerged = await library.branchCommit('main');
    expect(libraryMainMerged).not.toBe(libraryMainBefore);
    // The user's merge has not reached its origin: the push waits in the hook.
    expect(await consumer.readFileAt('main', 'welcome.js')).toBeUndefined();

    await h.restart({ whileDown: async () => keeper.openAll() });

    const task = await waitForTerminal(h.server.baseUrl, created.id, 240_000);
    expect(task.error).toBeNull();
    expect(task.status).toBe('merged');
    expect(task.pull_requests.map((p) => [p.role, p.repo, p.status])).toEqual([
      ['library', library.origin, 'merged'],
      ['consumer', consumer.origin, 'merged'],
    ]);
    // The library's main moved once, to its merge, and not again after the restart.
    expect(await libraryMainUpdates()).toEqual([`${libraryMainBefore} ${libraryMainMerged}`]);
    expect(await library.branchCommit('main')).toBe(libraryMainMerged);
    expect(task.pull_requests[0]?.merge_commit).toBe(libraryMainMerged);
    // The user's change is on its main, once: one commit past where it was.
    expect(await consumer.readFileAt('main', 'welcome.js')).toBe("module.exports = 'hi';\n");
    expect(await consumer.branchCommit('main')).toBe(task.pull_requests[1]?.merge_commit);
    expect((await git(consumer.origin, ['rev-list', '--count', 'main'])).trim()).toBe('2');
    const { body } = await api(h.server.baseUrl, `/api/v1/autodev/tasks/${created.id}/events`);
    const events = (body as { events: { type: string; data: Record<string, unknown> }[] }).events;
    const types = events.map((e) => e.type);
    // The resumed run took the library's merge from its checkpoint instead of merging again.
    const reused = events.filter((e) => e.type === 'step.reused').map((e) => e.data.key);
    expect(reused).toContain('deliver.pr_merge#1');
    expect(reused).not.toContain(userMerge);
    expect(types).toContain('task.resumed');
    expect(types.filter((t) => t === 'pr.merged')).toHaveLength(1);
    expect(types.filter((t) => t === 'pr.repo_opened')).toHaveLength(1);
    expect(types.filter((t) => t === 'pr.repo_merged')).toHaveLength(1);
    // Work done before the kill is reused, not redone: no model call after the restart.
    expect(h.model.requests.length - modelCallsBefore).toBe(3);
    expect(task.steps.find((s) => s.key === 'deliver.pr_merge#1')?.attempts).toBe(1);
  }, 420_000);

  it('resumes the merge run after approval: the library merged once, its user merged, one merge run', async () => {
    const library = await h.newRepo(NPM_LIBRARY_REPO);
    const consumer = await h.newRepo(consumerFiles);
    const consumerName = repoNameOf(consumer.origin, 2);
    const userMerge = `merge.pr_merge@${consumerName}#1`;
    const libraryMainBefore = await library.branchCommit('main');
    const consumerMainBefore = await consumer.branchCommit('main');
    const libraryMainUpdates = await logMainUpdates(library.origin);

    const watched: { taskId?: string } = {};
    // The user's origin holds a push only while the merge run's merge of the user runs: the branch
    // pushes of delivery pass.
    const keeper = startGateKeeper(async (gate) => {
      if (gate !== 'push' || watched.taskId === undefined) return false;
      const { body } = await api(h.server.baseUrl, `/api/v1/autodev/tasks/${watched.taskId}`);
      return stepStatus(body as TaskJson, userMerge) === 'running';
    });
    keepers.push(keeper);
    keeper.watch(await gatedOrigin(consumer.origin));

    h.model.push(greetingEdit('hi'), welcomeEdit(consumerName, '', "module.exports = 'hi';\n"), {
      text: 'The library and its user greet anew.',
    });
    const modelCallsBefore = h.model.requests.length;
    const created = await submitTask(h.server.baseUrl, {
      title: 'Greet with hi, reviewed, killed between merges',
      risk_tier: 'medium',
      repos: [
        { repo: library.origin, role: 'library' },
        { repo: consumer.origin, role: 'consumer' },
      ],
    });
    watched.taskId = created.id;
    const waiting = await waitForTerminal(h.server.baseUrl, created.id, 180_000);
    expect(waiting.status, JSON.stringify(waiting.error)).toBe('awaiting_review');
    const heads = waiting.pull_requests.map((pr) => pr.head_commit);

    const approved = await api(h.server.baseUrl, `/api/v1/autodev/prs/${created.id}/approve`, {
      method: 'POST',
      body: JSON.stringify({ comment: 'both look right' }),
      headers: as('alice'),
    });
    expect(approved.status, approved.text).toBe(200);
    const killed = await waitForTask(
      h.server.baseUrl,
      created.id,
      (t) => stepStatus(t, userMerge) === 'running' || ['merged', 'failed'].includes(t.status),
      180_000,
    );
    expect(stepStatus(killed, userMerge)).toBe('running');
    expect(stepStatus(killed, 'merge.pr_merge#1')).toBe('succeeded');
    const libraryMainMerged = await library.branchCommit('main');
    expect(libraryMainMerged).toBe(heads[0]);
    // The user's merge has not reached its origin: the push waits in the hook.
    expect(await consumer.branchCommit('main')).toBe(consumerMainBefore);

    await h.restart({ whileDown: async () => keeper.openAll() });

    const task = await waitForTerminal(h.server.baseUrl, created.id, 240_000);
    expect(task.error).toBeNull();
    expect(task.status).toBe('merged');
    expect(task.pull_requests.map((p) => [p.role, p.repo, p.status])).toEqual([
      ['library', library.origin, 'merged'],
      ['consumer', consumer.origin, 'merged'],
    ]);
    // The library's main moved once, to its pull request's head, and not again after the restart.
    expect(await libraryMainUpdates()).toEqual([`${libraryMainBefore} ${libraryMainMerged}`]);
    expect(await library.branchCommit('main')).toBe(libraryMainMerged);
    expect(task.pull_requests[0]?.merge_commit).toBe(libraryMainMerged);
    // The user's main is its pull request's head: one commit past where it was.
    expect(await consumer.branchCommit('main')).toBe(heads[1]);
    expect(task.pull_requests[1]?.merge_commit).toBe(heads[1]);
    expect(await consumer.readFileAt('main', 'welcome.js')).toBe("module.exports = 'hi';\n");
    expect((await git(consumer.origin, ['rev-list', '--count', 'main'])).trim()).toBe('2');

    const { body } = await api(h.server.baseUrl, `/api/v1/autodev/tasks/${created.id}/events`);
    const events = (body as { events: { type: string; data: Record<string, unknown> }[] }).events;
    const types = events.map((e) => e.type);
    // The library's merge ran once, before the kill: the resumed run took it as recorded (its pull
    // request merged), the user's was started again.
    const started = (key: string) =>
      events.filter((e) => e.type === 'step.started' && e.data.key === key).length;
    expect(started('merge.pr_merge#1')).toBe(1);
    expect(started(userMerge)).toBe(2);
    expect(events.find((e) => e.type === 'task.resumed')?.data).toMatchObject({
      from: 'delivering',
      merge: 1,
    });
    // One merge run, finished once, one merge of each.
    expect(events.filter((e) => e.type === 'pr.merge_requested').map((e) => e.data.merge)).toEqual([1]);
    expect(events.filter((e) => e.type === 'pr.merge_finished').map((e) => e.data)).toEqual([
      expect.objectContaining({ merge: 1, outcome: 'merged' }),
    ]);
    expect(types.filter((t) => t === 'pr.merged')).toHaveLength(1);
    expect(types.filter((t) => t === 'pr.repo_merged')).toHaveLength(1);
    expect(task.steps.some((s) => s.key.startsWith('merge.') && s.key.endsWith('#2'))).toBe(false);
    expect(task.steps.find((s) => s.key === 'merge.pr_merge#1')?.attempts).toBe(1);
    expect(h.model.requests.length - modelCallsBefore).toBe(3);
  }, 480_000);
});
