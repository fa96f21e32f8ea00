import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { git, type FixtureRepo } from '../fixtures/repo.js';
import { submitTask, waitForTask, waitForTerminal, type TaskJson } from '../helpers/api-client.js';
import { PYTHON_BUGGY_REPO, PYTHON_FIX_REPLY } from './fixtures.js';
import { startE2E, type E2EHarness } from './harness.js';
import { ROBO_AUTHOR, taskEvents } from './task-journey.js';

describe('a low-risk task whose base branch moved while it worked', () => {
  let h: E2EHarness;
  beforeAll(async () => {
    h = await startE2E(ROBO_AUTHOR);
  });
  afterAll(() => h?.close());

  /** Submits the fix; once the task has its workspace (and so its base), a human commits `files` on main. */
  async function runWithHumanCommit(repo: FixtureRepo, files: Record<string, string>): Promise<TaskJson> {
    // The reply waits, so the human's commit lands after the task took its base and before delivery.
    h.model.push({ text: PYTHON_FIX_REPLY, delayMs: 1500 });
    const created = await submitTask(h.server.baseUrl, {
      title: 'Fix add while main moves',
      description: 'add must add.',
      repo: repo.origin,
      risk_tier: 'low',
    });
    await waitForTask(h.server.baseUrl, created.id, (t) => t.steps.some((s) => s.tool === 'codegen'));
    await repo.commit('main', files, 'Human change on main');
    return waitForTerminal(h.server.baseUrl, created.id);
  }

  const eventsOf = (id: string) => taskEvents(h.server.baseUrl, id);

  it('replays the change onto the new base, tests it again, pushes and merges both changes', async () => {
    const repo = await h.newRepo(PYTHON_BUGGY_REPO);
    const task = await runWithHumanCommit(repo, { 'NOTES.md': 'Written by a human meanwhile.\n' });
    expect(task.error).toBeNull();
    expect(task.status).toBe('merged');
    // main has the human's commit and the fix, in that order: the fix's commit sits on the human's.
    expect(await repo.readFileAt('main', 'NOTES.md')).toBe('Written by a human meanwhile.\n');
    expect(await repo.readFileAt('main', 'calc.py')).toContain('return a + b');
    const mainTip = await repo.branchCommit('main');
    expect(await repo.branchCommit(task.branch ?? '')).toBe(mainTip);
    const parent = (
      await git(repo.origin, ['log', '-1', '--format=%s|%an <%ae>', `${mainTip ?? ''}^`])
    ).trim();
    expect(parent).toMatch(/^Human change on main\|/);
    const tip = (await git(repo.origin, ['log', '-1', '--format=%an <%ae>|%cn <%ce>', mainTip ?? ''])).trim();
    expect(tip).toBe('Robo Author <robo@example.test>|Robo Author <robo@example.test>');
    expect(task.pr).toMatchObject({ status: 'merged', head_commit: mainTip });

    const keys = task.steps.map((s) => s.key);
    expect(keys).toEqual(
      expect.arrayContaining(['deliver.git_rebase#1', 'deliver.test#1', 'deliver.git_push#2']),
    );
    expect(task.steps.find((s) => s.key === 'deliver.test#1')?.output_summary).toMatch(/2 passed, 0 failed/);
    const rebased = (await eventsOf(task.id)).find((e) => e.type === 'pr.rebased');
    expect(rebased?.data).toMatchObject({ head: mainTip });
  });

  it('leaves the pull request for review, naming the conflicting file, when the change conflicts', async () => {
    const repo = await h.newRepo(PYTHON_BUGGY_REPO);
    const task = await runWithHumanCommit(repo, {
      'calc.py': PYTHON_BUGGY_REPO['calc.py'].replace('return a - b', 'return b + a  # by hand'),
    });
    expect(task.error).toBeNull();
    expect(task.status).toBe('awaiting_review');
    expect(task.pr?.status).toBe('open');
    // Nothing of the task reached main: it still holds the human's version.
    expect(await repo.readFileAt('main', 'calc.py')).toContain('return b + a  # by hand');
    const events = await eventsOf(task.id);
    expect(events.find((e) => e.type === 'pr.rebase_conflict')?.data).toMatchObject({ files: ['calc.py'] });
    const outcome = events.find((e) => e.type === 'policy.decision' && e.data.outcome === 'awaiting_review');
    expect(String(outcome?.data.reason)).toMatch(
      /base branch main moved to [0-9a-f]{12} and the change conflicts with it in: calc\.py/,
    );
    expect(task.steps.map((s) => s.tool)).not.toContain('pr_merge');
  });
});
