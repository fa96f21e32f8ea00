import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createFixtureRepo, type FixtureRepo } from '../../test/fixtures/repo.js';
import { failure } from '../../test/helpers/failure.js';
import { useStoreBackend } from '../../test/helpers/store-backends.js';
import { repoNames } from '../multirepo/task-workspaces.js';
import type { Store } from '../store/index.js';
import { createGitRunner } from '../workspace/run-git.js';
import { createWorkspaceGit } from '../workspace/workspace-git.js';
import { movedBases } from './base-update-consumers.js';

const git = createGitRunner({ env: process.env });
const workspaceGit = createWorkspaceGit({ git });

describe('movedBases: which repositories of a multi-repo task a merge must bring up to date first', () => {
  const backend = useStoreBackend('sqlite');
  let repos: FixtureRepo[];
  let root: string;
  let store: Store;

  beforeEach(async () => {
    repos = [
      await createFixtureRepo({ files: { 'lib.js': 'lib\n' } }),
      await createFixtureRepo({ files: { 'user.js': 'user\n' } }),
    ];
    root = await mkdtemp(join(tmpdir(), 'autodev-moved-'));
    store = await backend.open(await backend.newLocation(), (text) => text);
  });
  afterEach(async () => {
    await Promise.all(repos.map((r) => r.cleanup()));
    await rm(root, { recursive: true, force: true });
  });

  /** A task of the two repositories whose clones took each main as it is now. */
  async function clonedTask() {
    const [library, user] = repos as [FixtureRepo, FixtureRepo];
    const task = await store.tasks.create({
      title: 'Greet',
      description: '',
      repo: library.origin,
      repo_normalized: library.origin,
      base_branch: 'main',
      risk_tier: 'medium',
      constraints: [],
      acceptance: [],
      repos: [
        { repo: library.origin, repo_normalized: library.origin, base_branch: 'main', role: 'library' },
        { repo: user.origin, repo_normalized: user.origin, base_branch: 'main', role: 'consumer' },
      ],
    });
    const cloned = async (key: string, origin: FixtureRepo) => {
      await store.steps.start({
        task_id: task.id,
        key,
        phase: 'prepare',
        tool: 'git_clone',
        input_summary: '{}',
      });
      await store.steps.finish(task.id, key, {
        status: 'succeeded',
        attempts: 1,
        output: { base_commit: await origin.branchCommit('main') },
        output_summary: 'cloned',
        duration_ms: 1,
      });
    };
    await cloned('prepare.git_clone#1', library);
    // The consumer's step is keyed by its name among the task's repositories.
    await cloned(`prepare.git_clone@${repoNames(task.repos)[1] ?? ''}#1`, user);
    return task;
  }

  const ask = (task: Awaited<ReturnType<typeof clonedTask>>, allowlistRepos = ['**']) =>
    movedBases({ store, git: workspaceGit, allowlistRepos }, task, repos[0]?.origin ?? '');

  it('lists none while every base is where the change sits, then each repository whose base moved', async () => {
    const [library, user] = repos as [FixtureRepo, FixtureRepo];
    const task = await clonedTask();
    expect(await ask(task)).toEqual([]);

    const before = await user.branchCommit('main');
    const now = await user.commit('main', { 'NOTES.md': 'by hand\n' });
    expect(await ask(task)).toEqual([
      { repo: user.origin, role: 'consumer', base_branch: 'main', from: before, to: now },
    ]);
    const libraryNow = await library.commit('main', { 'NOTES.md': 'by hand\n' });
    expect((await ask(task)).map((m) => [m.role, m.to])).toEqual([
      ['library', libraryNow],
      ['consumer', now],
    ]);

    // A base update that replayed the consumer onto its new base: it sits there now.
    await store.events.append(task.id, 'pr.base_updated', {
      update: 1,
      base: libraryNow,
      head: 'f'.repeat(40),
      repos: [{ repo: user.origin, base: now, head: 'e'.repeat(40) }],
    });
    expect(await ask(task)).toEqual([]);
  });

  it('refuses a repository outside allowlist_repos, naming it', async () => {
    const task = await clonedTask();
    const refused = await failure(ask(task, ['github.com/acme/*']));
    expect(refused).toMatchObject({ code: 'REPO_NOT_ALLOWED' });
    expect(refused.message).toContain('is not in allowlist_repos');
  });
});
