import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { api, submitTask, waitForTerminal, type TaskJson } from '../helpers/api-client.js';
import { runCli } from '../helpers/cli-process.js';
import { suiteRandom } from '../helpers/seeded-random.js';
import type { ScriptedReply } from '../helpers/scripted-model-server.js';
import { ALNUM } from '../secrets/corpus.js';
import {
  greetingEdit,
  NPM_LIBRARY_REPO,
  npmConsumerRepo,
  refuseMain,
  repoNameOf,
  welcomeEdit,
} from './multi-repo-fixtures.js';
import { startE2E, type E2EHarness } from './harness.js';

function step(task: TaskJson, key: string): TaskJson['steps'][number] | undefined {
  return task.steps.find((s) => s.key === key);
}

describe('a multi-repo npm task: the consumer tested against the changed library', () => {
  let h: E2EHarness;
  let consumerFiles: Record<string, string | Buffer>;
  beforeAll(async () => {
    [h, consumerFiles] = await Promise.all([startE2E({ max_step_retries: 0 }), npmConsumerRepo()]);
  }, 120_000);
  afterAll(async () => {
    await h?.close();
  });

  const random = suiteRandom();
  const consumerNameOf = (origin: string) => repoNameOf(origin, 2);

  async function run(
    word: string,
    consumerEdit?: (name: string) => ScriptedReply,
    prepareConsumer?: (origin: string) => Promise<void>,
    riskTier?: 'medium',
  ): Promise<{
    task: TaskJson;
    consumerName: string;
    heads: (string | undefined)[][];
    origins: string[];
    greeting: () => Promise<string | undefined>;
  }> {
    const library = await h.newRepo(NPM_LIBRARY_REPO);
    const consumer = await h.newRepo(consumerFiles);
    await prepareConsumer?.(consumer.origin);
    const before = [await library.branchCommit('main'), await consumer.branchCommit('main')];
    h.model.push(
      greetingEdit(word),
      ...(consumerEdit ? [consumerEdit(consumerNameOf(consumer.origin))] : []),
      { text: 'The library greets anew.' },
    );
    const created = await submitTask(h.server.baseUrl, {
      title: `Greet with ${word}`,
      ...(riskTier ? { risk_tier: riskTier } : {}),
      repos: [
        { repo: library.origin, role: 'library' },
        { repo: consumer.origin, role: 'consumer' },
      ],
    });
    const task = await waitForTerminal(h.server.baseUrl, created.id, 120_000);
    const after = [await library.branchCommit('main'), await consumer.branchCommit('main')];
    return {
      task,
      consumerName: consumerNameOf(consumer.origin),
      heads: [before, after],
      origins: [library.origin, consumer.origin],
      greeting: () => library.readFileAt('main', 'index.js'),
    };
  }

  async function trail(id: string): Promise<{ type: string; data: Record<string, unknown> }[]> {
    const events = await api(h.server.baseUrl, `/api/v1/autodev/tasks/${id}/events`);
    return (events.body as { events: { type: string; data: Record<string, unknown> }[] }).events;
  }

  /** The user's own change: a file of its own saying the new word (its tests still pass). */
  const welcomeWith =
    (word: string) =>
    (name: string): ScriptedReply =>
      welcomeEdit(name, '', `module.exports = '${word}';\n`);

  it('passes the consumer built against the changed library, whose published version fails it', async () => {
    const { task, consumerName, heads } = await run('hi');
    // The consumer's test expects "hi": against the published library (its baseline) it fails.
    expect(step(task, `prepare.test@${consumerName}#1`)?.output_summary).toMatch(/^failed/);
    const linked = step(task, `verify.test@${consumerName}#1`);
    expect(linked?.status).toBe('succeeded');
    expect(linked?.output_summary).toMatch(/^passed: linked to greetlib \(npm\)/);
    expect(linked?.output_summary).toContain('against the baseline: pass');
    // A consumer the task did not change is only built: nothing of its own to check, push or merge.
    expect(task.steps.map((s) => s.key)).not.toContain(`verify.secrets_scan@${consumerName}#1`);
    expect(task.steps.map((s) => s.key)).not.toContain(`deliver.git_push@${consumerName}#1`);
    expect(step(task, 'decide.policy#1')?.status).toBe('succeeded');
    expect(task.status).toBe('merged');
    expect(task.pull_requests.map((pr) => [pr.role, pr.status])).toEqual([['library', 'merged']]);
    expect(heads[1]?.[0]).not.toEqual(heads[0]?.[0]);
    expect(heads[1]?.[1]).toEqual(heads[0]?.[1]);
  });

  it('opens a pull request per changed repository, each listing the other, and merges the library first', async () => {
    const { task, consumerName, heads, origins, greeting } = await run('hi', welcomeWith('hi'));
    const [libraryOrigin, consumerOrigin] = origins as [string, string];
    expect(task.status).toBe('merged');
    expect(task.pull_requests.map((pr) => [pr.role, pr.repo, pr.status])).toEqual([
      ['library', libraryOrigin, 'merged'],
      ['consumer', consumerOrigin, 'merged'],
    ]);
    expect(task.pr?.repo).toBe(libraryOrigin);
    // Both origins' main carry the change: each is the pull request's head.
    expect(heads[1]).toEqual(task.pull_requests.map((pr) => pr.merge_commit));
    expect(heads[1]?.[1]).not.toEqual(heads[0]?.[1]);
    expect(await greeting()).toContain('hi');
    const events = await trail(task.id);
    const opened = events.find((e) => e.type === 'pr.opened');
    const consumerOpened = events.find((e) => e.type === 'pr.repo_opened');
    // Each body lists the other's pull request (the local forge has no URLs: its branch and repository).
    expect(opened?.data.body).toContain(`branch \`${task.branch}\` of ${consumerOrigin}`);
    expect(consumerOpened?.data).toMatchObject({ repo: consumerOrigin, role: 'consumer' });
    expect(consumerOpened?.data.body).toContain(`branch \`${task.branch}\` of ${libraryOrigin}`);
    // The library merges before its user.
    const types = events.map((e) => e.type);
    expect(types.indexOf('pr.merged')).toBeGreaterThan(-1);
    expect(types.indexOf('pr.repo_merged')).toBeGreaterThan(types.indexOf('pr.merged'));
    const keys = task.steps.map((s) => s.key);
    expect(keys.indexOf(`deliver.pr_merge@${consumerName}#1`)).toBeGreaterThan(
      keys.indexOf('deliver.pr_merge#1'),
    );
  });

  it('leaves a multi-repo task policy sends to review waiting with a pull request open in each changed repository', async () => {
    const { task, heads, origins } = await run('hi', welcomeWith('hi'), undefined, 'medium');
    const [libraryOrigin, consumerOrigin] = origins as [string, string];
    expect(step(task, 'decide.policy#1')?.output_summary).toMatch(/^deny/);
    expect(task.status).toBe('awaiting_review');
    expect(task.error).toBeNull();
    expect(task.pull_requests.map((pr) => [pr.role, pr.repo, pr.status])).toEqual([
      ['library', libraryOrigin, 'open'],
      ['consumer', consumerOrigin, 'open'],
    ]);
    // Nothing merged: both origins' main are as they were.
    expect(heads[1]).toEqual(heads[0]);
  });

  it('reverts the merged library when its user cannot merge, and fails naming the user', async () => {
    // The user's origin refuses any push to main (a protected branch): its pull request cannot merge.
    const { task, heads, origins, greeting } = await run('hi', welcomeWith('hi'), refuseMain);
    const [libraryOrigin, consumerOrigin] = origins as [string, string];
    expect(task.status).toBe('failed');
    expect(task.error?.code).toBe('MULTI_REPO_MERGE_FAILED');
    expect(task.error?.message).toContain(`the pull request in ${consumerOrigin} could not merge`);
    expect(task.error?.message).toContain(
      `the merged ones were reverted (a revert pull request merged in each): ${libraryOrigin}`,
    );
    expect(task.pull_requests.map((pr) => [pr.role, pr.repo, pr.status])).toEqual([
      ['library', libraryOrigin, 'merged'],
      ['consumer', consumerOrigin, 'open'],
      ['revert', libraryOrigin, 'merged'],
    ]);
    // The library's main moved twice (the change, then its revert): its greeting is the old one again.
    expect(heads[1]?.[0]).not.toEqual(heads[0]?.[0]);
    expect(heads[1]?.[0]).toEqual(task.pull_requests[2]?.merge_commit);
    expect(await greeting()).toBe(NPM_LIBRARY_REPO['index.js']);
    expect(heads[1]?.[1]).toEqual(heads[0]?.[1]);
    const types = (await trail(task.id)).map((e) => e.type);
    expect(types.indexOf('pr.repo_merged')).toBeGreaterThan(types.indexOf('pr.merged'));
    await expectListedEverywhere(task, libraryOrigin, consumerOrigin);
  });

  /** GET /prs, `autodev pr list` and `autodev task show` name each of the task's three pull requests. */
  async function expectListedEverywhere(task: TaskJson, libraryOrigin: string, consumerOrigin: string) {
    type Listed = { task_id: string; role: string; repo: string; status: string; branch: string };
    const listed = async (query: string) =>
      ((await api(h.server.baseUrl, `/api/v1/autodev/prs${query}`)).body as { prs: Listed[] }).prs;
    const revertBranch = `autodev/revert-${task.id}`;
    // Newest first: the revert opened last, the library's first.
    expect(
      (await listed('?limit=200'))
        .filter((p) => p.task_id === task.id)
        .map((p) => [p.role, p.repo, p.status, p.branch]),
    ).toEqual([
      ['revert', libraryOrigin, 'merged', revertBranch],
      ['consumer', consumerOrigin, 'open', task.branch],
      ['library', libraryOrigin, 'merged', task.branch],
    ]);
    expect((await listed('?limit=1')).map((p) => [p.task_id, p.role])).toEqual([[task.id, 'revert']]);
    const open = (await listed('?status=open&limit=200')).filter((p) => p.task_id === task.id);
    expect(open.map((p) => [p.role, p.repo])).toEqual([['consumer', consumerOrigin]]);
    const bad = await api(h.server.baseUrl, '/api/v1/autodev/prs?status=bogus');
    expect(bad.status).toBe(400);

    const prList = await runCli(['pr', 'list', '--status', 'open'], { AUTODEV_DATA_DIR: h.dataDir });
    expect(prList.stderr).toBe('');
    const escaped = (s: string) => s.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&');
    expect(prList.stdout).toMatch(
      new RegExp(
        `^${task.id}\\s+open\\s+${escaped(task.branch ?? '')} -> main\\s+.+\\s+consumer ${escaped(consumerOrigin)}$`,
        'm',
      ),
    );
    expect(prList.stdout).not.toContain(revertBranch);
    const show = await runCli(['task', 'show', task.id], { AUTODEV_URL: h.server.baseUrl });
    expect(show.stderr).toBe('');
    expect(show.stdout).toContain(
      [
        'prs:',
        `  library  merged ${libraryOrigin}  ${task.branch}`,
        `  consumer open   ${consumerOrigin}  ${task.branch}`,
        `  revert   merged ${libraryOrigin}  ${revertBranch}`,
      ].join('\n'),
    );
  }

  it('checks a changed consumer and stops the whole task on a secret in it, naming the consumer', async () => {
    const leaked = ['ghp', random.from(ALNUM, 36)].join('_');
    const { task, consumerName, heads } = await run('hi', (name) => ({
      toolCalls: [
        {
          name: 'apply_edit',
          arguments: {
            repo: name,
            search_replace: [{ path: 'notes.js', search: '', replace: `// deploy token ${leaked}\n` }],
          },
        },
      ],
    }));
    for (const tool of ['lint', 'secrets_scan', 'check_deps', 'check_constraints']) {
      expect(step(task, `verify.${tool}@${consumerName}#1`)?.status).toBe('succeeded');
    }
    expect(task.error?.code).toBe('POLICY_DENIED');
    expect(task.error?.message).toMatch(
      new RegExp(`SECRETS_FOUND.*github-pat in ${consumerName}/notes\\.js:1`),
    );
    expect(task.steps.map((s) => s.tool)).not.toContain('git_push');
    const events = await api(h.server.baseUrl, `/api/v1/autodev/tasks/${task.id}/events`);
    const trail = events.body as { events: { type: string; data: Record<string, unknown> }[] };
    const decision = trail.events.find((e) => e.type === 'policy.decision' && 'allow' in e.data);
    // The policy saw the consumer as its own entry and denied naming it.
    expect(decision?.data).toMatchObject({
      allow: false,
      deny: expect.arrayContaining([
        { code: 'SECRETS_FOUND', message: expect.stringMatching(/^Secrets detected in changes to /) },
      ]),
    });
    expect(JSON.stringify([task, events.body])).not.toContain(leaked);
    expect(heads[1]).toEqual(heads[0]);
  });

  it('fails the task when the consumer fails against the changed library, naming it', async () => {
    const { task, consumerName, heads } = await run('hey');
    expect(step(task, `verify.test@${consumerName}#1`)?.output_summary).toMatch(
      /^failed: linked to greetlib/,
    );
    expect(task.error?.code).toBe('TESTS_STILL_FAILING');
    expect(task.error?.message).toContain(`${consumerName}: `);
    expect(heads[1]).toEqual(heads[0]);
  });

  it('runs a library and two users: each built against the change, only the changed one checked', async () => {
    const library = await h.newRepo(NPM_LIBRARY_REPO);
    const users = [await h.newRepo(consumerFiles), await h.newRepo(consumerFiles)];
    const before = await Promise.all([library, ...users].map((r) => r.branchCommit('main')));
    const base = repoNameOf(library.origin);
    const [changed, untouched] = [`${base}-2`, `${base}-3`];
    h.model.push(greetingEdit('hi'), welcomeEdit(changed, '', "module.exports = 'hi';\n"), {
      text: 'The library and its first user greet anew.',
    });
    const created = await submitTask(h.server.baseUrl, {
      title: 'Greet with hi everywhere',
      repos: [
        { repo: library.origin, role: 'library' },
        ...users.map((u) => ({ repo: u.origin, role: 'consumer' })),
      ],
    });
    const task = await waitForTerminal(h.server.baseUrl, created.id, 120_000);
    for (const name of [changed, untouched]) {
      expect(step(task, `verify.test@${name}#1`)?.output_summary).toMatch(
        /^passed: linked to greetlib \(npm\)/,
      );
    }
    expect(step(task, `implement.git_apply@${changed}#1`)?.status).toBe('succeeded');
    expect(step(task, `verify.secrets_scan@${changed}#1`)?.status).toBe('succeeded');
    const keys = task.steps.map((s) => s.key);
    expect(keys).not.toContain(`implement.git_apply@${untouched}#1`);
    expect(keys).not.toContain(`verify.secrets_scan@${untouched}#1`);
    // In table order: the library's checks, each changed user's, then the library's benchmarks.
    expect(keys.indexOf(`verify.lint@${changed}#1`)).toBeGreaterThan(
      keys.indexOf('verify.check_constraints#1'),
    );
    expect(keys.indexOf('verify.bench#1')).toBeGreaterThan(
      keys.indexOf(`verify.check_constraints@${changed}#1`),
    );
    expect(step(task, 'decide.policy#1')?.output_summary).toMatch(/^allow/);
    // A pull request for the library and the changed user only; the untouched one keeps its main.
    expect(task.status).toBe('merged');
    expect(task.pull_requests.map((pr) => [pr.role, pr.repo])).toEqual([
      ['library', library.origin],
      ['consumer', users[0]?.origin],
    ]);
    const after = await Promise.all([library, ...users].map((r) => r.branchCommit('main')));
    expect(after[0]).not.toEqual(before[0]);
    expect(after[1]).not.toEqual(before[1]);
    expect(after[2]).toEqual(before[2]);
  });

  it('reverts the library and the user merged before the one that cannot merge, the last merged first', async () => {
    const library = await h.newRepo(NPM_LIBRARY_REPO);
    const users = [await h.newRepo(consumerFiles), await h.newRepo(consumerFiles)];
    await refuseMain(users[1]?.origin ?? '');
    const before = await Promise.all([library, ...users].map((r) => r.branchCommit('main')));
    const base = repoNameOf(library.origin);
    h.model.push(greetingEdit('hi'), welcomeWith('hi')(`${base}-2`), welcomeWith('hi')(`${base}-3`), {
      text: 'The library and both users greet anew.',
    });
    const created = await submitTask(h.server.baseUrl, {
      title: 'Greet with hi everywhere, one user protected',
      repos: [
        { repo: library.origin, role: 'library' },
        ...users.map((u) => ({ repo: u.origin, role: 'consumer' })),
      ],
    });
    const task = await waitForTerminal(h.server.baseUrl, created.id, 180_000);
    const [first, second] = users.map((u) => u.origin) as [string, string];
    expect(task.error?.code).toBe('MULTI_REPO_MERGE_FAILED');
    expect(task.error?.message).toContain(`the pull request in ${second} could not merge`);
    expect(task.error?.message).toContain(
      `the merged ones were reverted (a revert pull request merged in each): ${first}, ${library.origin}`,
    );
    expect(task.pull_requests.map((pr) => [pr.role, pr.repo, pr.status])).toEqual([
      ['library', library.origin, 'merged'],
      ['consumer', first, 'merged'],
      ['consumer', second, 'open'],
      ['revert', library.origin, 'merged'],
      ['revert', first, 'merged'],
    ]);
    // The reverted ones are back to their first content; the protected one never moved.
    expect(await library.readFileAt('main', 'index.js')).toBe(NPM_LIBRARY_REPO['index.js']);
    expect(await users[0]?.readFileAt('main', 'welcome.js')).toBeUndefined();
    const after = await Promise.all([library, ...users].map((r) => r.branchCommit('main')));
    expect(after[2]).toEqual(before[2]);
    const keys = task.steps.map((s) => s.key);
    // Names shared by all three repositories get their place: the library is `<base>-1`.
    expect(keys.filter((k) => k.startsWith('deliver.git_revert@'))).toEqual([
      `deliver.git_revert@${base}-2#3`,
      `deliver.git_revert@${base}-1#3`,
    ]);
  }, 240_000);
});
