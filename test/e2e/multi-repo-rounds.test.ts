import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { git } from '../fixtures/repo.js';
import { api, as, submitTask, waitForTask, waitForTerminal, type TaskJson } from '../helpers/api-client.js';
import {
  greetingEdit,
  nodeTest,
  NPM_LIBRARY_REPO,
  npmConsumerRepo,
  repoNameOf,
  welcomeEdit,
} from './multi-repo-fixtures.js';
import { startE2E, type E2EHarness } from './harness.js';

const PRS = '/api/v1/autodev/prs';

function step(task: TaskJson, key: string): TaskJson['steps'][number] | undefined {
  return task.steps.find((s) => s.key === key);
}

describe('review rounds of a multi-repo task: the consumers changed by the round, tested against the library', () => {
  let h: E2EHarness;
  let consumerFiles: Record<string, string | Buffer>;
  beforeAll(async () => {
    [h, consumerFiles] = await Promise.all([
      // Reviewers act as named users (their tokens).
      startE2E(
        { max_step_retries: 0, review_poll_secs: 0, 'git.reviewers': '["alice", "bob"]' },
        { auth: true },
      ),
      npmConsumerRepo(),
    ]);
  }, 120_000);
  afterAll(async () => {
    await h?.close();
  });

  const requestChanges = (id: string, comment: string) =>
    api(h.server.baseUrl, `${PRS}/${id}/request-changes`, {
      method: 'POST',
      body: JSON.stringify({ comment }),
      headers: as('alice'),
    });
  const events = async (id: string) =>
    (
      (await api(h.server.baseUrl, `/api/v1/autodev/tasks/${id}/events`)).body as {
        events: { type: string; data: Record<string, unknown> }[];
      }
    ).events;

  /** A medium-risk library change and its user's own file: both pull requests open, waiting for review. */
  async function waitingTask(userFiles: Record<string, string | Buffer> = consumerFiles) {
    const library = await h.newRepo(NPM_LIBRARY_REPO);
    const consumer = await h.newRepo(userFiles);
    const name = repoNameOf(consumer.origin, 2);
    h.model.push(greetingEdit('hi'), welcomeEdit(name, '', "module.exports = 'hi';\n"), {
      text: 'The library and its user greet anew.',
    });
    const created = await submitTask(h.server.baseUrl, {
      title: 'Greet with hi',
      risk_tier: 'medium',
      repos: [
        { repo: library.origin, role: 'library' },
        { repo: consumer.origin, role: 'consumer' },
      ],
    });
    const task = await waitForTerminal(h.server.baseUrl, created.id, 120_000);
    expect(task.status).toBe('awaiting_review');
    expect(task.pull_requests.map((pr) => [pr.role, pr.status])).toEqual([
      ['library', 'open'],
      ['consumer', 'open'],
    ]);
    return { library, consumer, name, task };
  }

  it("answers a change request naming the user's file with a new commit on the user's branch, tested linked", async () => {
    const { library, consumer, name, task } = await waitingTask();
    const branch = task.branch ?? '';
    const [libraryHead, consumerHead] = task.pull_requests.map((pr) => pr.head_commit);
    expect(await consumer.branchCommit(branch)).toBe(consumerHead);
    const requestsBefore = h.model.requests.length;
    h.model.push(welcomeEdit(name, "module.exports = 'hi';\n", "module.exports = 'hi there';\n"), {
      text: 'welcome.js says hi there.',
    });

    const asked = await requestChanges(task.id, "The user's welcome.js should say 'hi there'.");
    expect(asked.status, asked.text).toBe(200);
    const answered = await waitForTerminal(h.server.baseUrl, task.id, 120_000);
    expect(answered.error).toBeNull();
    expect(answered.status).toBe('awaiting_review');

    // A new commit on the user's branch in its origin, on top of the reviewed one.
    const newHead = (await consumer.branchCommit(branch)) ?? '';
    expect(newHead).not.toBe(consumerHead);
    expect((await git(consumer.origin, ['rev-parse', `${newHead}^`])).trim()).toBe(consumerHead);
    expect(await consumer.readFileAt(branch, 'welcome.js')).toBe("module.exports = 'hi there';\n");
    // The library's branch is as it was: the round changed the user only.
    expect(await library.branchCommit(branch)).toBe(libraryHead);
    expect(answered.pull_requests.map((pr) => [pr.role, pr.status, pr.head_commit])).toEqual([
      ['library', 'open', libraryHead],
      ['consumer', 'open', newHead],
    ]);

    // The round's steps carry the repository: its commit, its linked tests and checks, its push.
    expect(step(answered, `review.git_apply@${name}#1`)?.status).toBe('succeeded');
    expect(step(answered, 'review.git_apply#1')).toBeUndefined();
    expect(step(answered, `review.test@${name}#1`)?.output_summary).toMatch(
      /^passed: linked to greetlib \(npm\)/,
    );
    expect(step(answered, `review.secrets_scan@${name}#1`)?.status).toBe('succeeded');
    expect(step(answered, `review.git_push@${name}#1`)?.status).toBe('succeeded');

    // The model was told the comment and the repositories its tools may name.
    const prompt = JSON.stringify(h.model.requests.slice(requestsBefore));
    expect(prompt).toContain("welcome.js should say 'hi there'");
    expect(prompt).toContain(`${name} (consumer)`);
    const finished = (await events(task.id)).filter((e) => e.type === 'review.round_finished');
    expect(finished).toHaveLength(1);
    expect(finished[0]?.data).toMatchObject({
      round: 1,
      repos: [{ repo: consumer.origin, commit: newHead }],
      repo_files: [`${name}/welcome.js`],
    });
  }, 240_000);

  it("merges the round's heads: a change request on the user's file, the round's commit, an approval, both mains at the pull requests' heads", async () => {
    const { library, consumer, name, task } = await waitingTask();
    const branch = task.branch ?? '';
    const mainsBefore = [await library.branchCommit('main'), await consumer.branchCommit('main')];
    const [libraryHead, consumerHead] = task.pull_requests.map((pr) => pr.head_commit);
    h.model.push(welcomeEdit(name, "module.exports = 'hi';\n", "module.exports = 'hi there';\n"), {
      text: 'welcome.js says hi there.',
    });
    const asked = await requestChanges(task.id, "The user's welcome.js should say 'hi there'.");
    expect(asked.status, asked.text).toBe(200);
    const answered = await waitForTerminal(h.server.baseUrl, task.id, 120_000);
    expect(answered.error).toBeNull();
    expect(answered.status).toBe('awaiting_review');
    const roundHeads = answered.pull_requests.map((pr) => pr.head_commit);
    expect(roundHeads[0]).toBe(libraryHead);
    expect(roundHeads[1]).not.toBe(consumerHead);
    expect(await consumer.branchCommit(branch)).toBe(roundHeads[1]);
    // The round's change is not merged by itself: both mains wait for the approval.
    expect([await library.branchCommit('main'), await consumer.branchCommit('main')]).toEqual(mainsBefore);

    const approved = await api(h.server.baseUrl, `${PRS}/${task.id}/approve`, {
      method: 'POST',
      body: JSON.stringify({ comment: 'the round did it' }),
      headers: as('bob'),
    });
    expect(approved.status, approved.text).toBe(200);
    const merged = await waitForTerminal(h.server.baseUrl, task.id, 180_000);
    expect(merged.status, JSON.stringify(merged.error)).toBe('merged');
    expect(merged.pull_requests.map((pr) => [pr.role, pr.status, pr.head_commit])).toEqual([
      ['library', 'merged', roundHeads[0]],
      ['consumer', 'merged', roundHeads[1]],
    ]);
    // The local forge fast-forwards: each main is its pull request's head after the round.
    expect([await library.branchCommit('main'), await consumer.branchCommit('main')]).toEqual(roundHeads);
    expect(merged.pull_requests.map((pr) => pr.merge_commit)).toEqual(roundHeads);
    expect(await consumer.readFileAt('main', 'welcome.js')).toBe("module.exports = 'hi there';\n");
    expect(await library.readFileAt('main', 'index.js')).toContain('hi');
    const trail = await events(task.id);
    const types = trail.map((e) => e.type);
    expect(types.indexOf('review.round_finished')).toBeLessThan(types.indexOf('pr.approved'));
    expect(types.indexOf('pr.merge_requested')).toBeGreaterThan(types.indexOf('pr.approved'));
    expect(types.filter((t) => t === 'pr.merged')).toHaveLength(1);
    expect(trail.find((e) => e.type === 'pr.merged')?.data).toMatchObject({ approvers: ['bob'] });
  }, 360_000);

  it('fails a round whose change to the user breaks its tests against the library, leaving every pull request as it was', async () => {
    const { library, consumer, name, task } = await waitingTask();
    const branch = task.branch ?? '';
    const heads = task.pull_requests.map((pr) => pr.head_commit);
    // The user's test now expects what welcome.js does not say: built against the library, it fails.
    const testLine = "  assert.strictEqual(require('greetlib').hello('js'), 'hi js');";
    const failing =
      "\ntest('welcomes warmly', () => {\n  assert.strictEqual(require('./welcome.js'), 'hi there');\n});\n";
    h.model.push(
      {
        toolCalls: [
          {
            name: 'apply_edit',
            arguments: {
              repo: name,
              search_replace: [
                { path: 'test.js', search: `${testLine}\n});\n`, replace: `${testLine}\n});\n${failing}` },
              ],
            },
          },
        ],
      },
      { text: 'A test of the welcome.' },
    );
    const asked = await requestChanges(task.id, 'Test the welcome too.');
    expect(asked.status, asked.text).toBe(200);
    const after = await waitForTerminal(h.server.baseUrl, task.id, 120_000);
    expect(after.status).toBe('awaiting_review');
    expect(after.error?.code).toBe('REVIEW_ROUND_FAILED');
    expect(after.error?.message).toContain('TESTS_STILL_FAILING');
    expect(after.error?.message).toContain(`${name}: `);
    expect(step(after, `review.test@${name}#1`)?.output_summary).toMatch(/^failed: linked to greetlib/);
    expect(after.steps.map((s) => s.key)).not.toContain(`review.git_push@${name}#1`);
    // Nothing pushed: both branches and pull requests are what they were.
    expect(after.pull_requests.map((pr) => pr.head_commit)).toEqual(heads);
    expect([await library.branchCommit(branch), await consumer.branchCommit(branch)]).toEqual(heads);
  }, 240_000);

  it('opens the pull request of a user the task changes first in a review round', async () => {
    const library = await h.newRepo(NPM_LIBRARY_REPO);
    const consumer = await h.newRepo(consumerFiles);
    const name = repoNameOf(consumer.origin, 2);
    // The first run changes the library only: the user is only built against it, no pull request.
    h.model.push(greetingEdit('hi'), { text: 'The library greets anew.' });
    const created = await submitTask(h.server.baseUrl, {
      title: 'Greet with hi, the user later',
      risk_tier: 'medium',
      repos: [
        { repo: library.origin, role: 'library' },
        { repo: consumer.origin, role: 'consumer' },
      ],
    });
    const task = await waitForTerminal(h.server.baseUrl, created.id, 120_000);
    expect(task.status).toBe('awaiting_review');
    expect(task.pull_requests.map((pr) => pr.role)).toEqual(['library']);
    const branch = task.branch ?? '';
    expect(await consumer.branchCommit(branch)).toBeUndefined();

    h.model.push(welcomeEdit(name, '', "module.exports = 'hi';\n"), { text: 'The user welcomes too.' });
    const asked = await requestChanges(task.id, 'The user should get a welcome.js saying hi.');
    expect(asked.status, asked.text).toBe(200);
    const answered = await waitForTerminal(h.server.baseUrl, task.id, 120_000);
    expect(answered.error).toBeNull();
    expect(answered.status).toBe('awaiting_review');
    const head = await consumer.branchCommit(branch);
    expect(head).toBeDefined();
    expect((await git(consumer.origin, ['rev-parse', `${head ?? ''}^`])).trim()).toBe(
      await consumer.branchCommit('main'),
    );
    expect(answered.pull_requests.map((pr) => [pr.role, pr.repo, pr.status, pr.head_commit])).toEqual([
      ['library', library.origin, 'open', task.pr?.head_commit],
      ['consumer', consumer.origin, 'open', head],
    ]);
    expect(step(answered, `review.git_pr@${name}#1`)?.status).toBe('succeeded');
    const opened = (await events(task.id)).find((e) => e.type === 'pr.repo_opened');
    expect(opened?.data).toMatchObject({ repo: consumer.origin, role: 'consumer' });
    expect(String(opened?.data.body)).toContain(`branch \`${branch}\` of ${library.origin}`);
  }, 240_000);

  it("resumes a round killed during the user's linked tests: one new commit on the user's branch, one answer", async () => {
    const { consumer, name, task } = await waitingTask();
    const branch = task.branch ?? '';
    const consumerHead = task.pull_requests[1]?.head_commit;
    h.model.push(welcomeEdit(name, "module.exports = 'hi';\n", "module.exports = 'hi there';\n"), {
      text: 'welcome.js says hi there.',
    });
    expect((await requestChanges(task.id, "welcome.js should say 'hi there'.")).status).toBe(200);
    // Killed after the user's commit, while it is tested built against the library.
    await waitForTask(
      h.server.baseUrl,
      task.id,
      (t) => t.steps.some((s) => s.key === `review.test@${name}#1` && s.status === 'running'),
      120_000,
    );
    await h.restart();

    const resumed = await waitForTerminal(h.server.baseUrl, task.id, 180_000);
    expect(resumed.error).toBeNull();
    expect(resumed.status).toBe('awaiting_review');
    const newHead = (await consumer.branchCommit(branch)) ?? '';
    expect((await git(consumer.origin, ['rev-parse', `${newHead}^`])).trim()).toBe(consumerHead);
    expect(await consumer.readFileAt(branch, 'welcome.js')).toBe("module.exports = 'hi there';\n");
    expect(resumed.pull_requests[1]?.head_commit).toBe(newHead);
    const all = await events(task.id);
    expect(all.filter((e) => e.type === 'review.round_finished')).toHaveLength(1);
    expect(all.some((e) => e.type === 'task.resumed')).toBe(true);
  }, 300_000);

  it('fails a round whose change to the user breaks its tests against the library, leaving every pull request as it was', async () => {
    const { library, consumer, name, task } = await waitingTask();
    const branch = task.branch ?? '';
    const heads = task.pull_requests.map((pr) => pr.head_commit);
    // The user's test now expects what welcome.js does not say: built against the library, it fails.
    const testLine = "  assert.strictEqual(require('greetlib').hello('js'), 'hi js');";
    const failing =
      "\ntest('welcomes warmly', () => {\n  assert.strictEqual(require('./welcome.js'), 'hi there');\n});\n";
    h.model.push(
      {
        toolCalls: [
          {
            name: 'apply_edit',
            arguments: {
              repo: name,
              search_replace: [
                { path: 'test.js', search: `${testLine}\n});\n`, replace: `${testLine}\n});\n${failing}` },
              ],
            },
          },
        ],
      },
      { text: 'A test of the welcome.' },
    );
    const asked = await requestChanges(task.id, 'Test the welcome too.');
    expect(asked.status, asked.text).toBe(200);
    const after = await waitForTerminal(h.server.baseUrl, task.id, 120_000);
    expect(after.status).toBe('awaiting_review');
    expect(after.error?.code).toBe('REVIEW_ROUND_FAILED');
    expect(after.error?.message).toContain('TESTS_STILL_FAILING');
    expect(after.error?.message).toContain(`${name}: `);
    expect(step(after, `review.test@${name}#1`)?.output_summary).toMatch(/^failed: linked to greetlib/);
    expect(after.steps.map((s) => s.key)).not.toContain(`review.git_push@${name}#1`);
    // Nothing pushed: both branches and pull requests are what they were.
    expect(after.pull_requests.map((pr) => pr.head_commit)).toEqual(heads);
    expect([await library.branchCommit(branch), await consumer.branchCommit(branch)]).toEqual(heads);
  }, 240_000);

  /**
   * A low-risk task of greetlib and its user; once the task works (both cloned), a human commits
   * `files` on the user's main: its base moved before the user's merge.
   */
  async function deliveredWhileUserMoves(files: Record<string, string>) {
    const library = await h.newRepo(NPM_LIBRARY_REPO);
    const consumer = await h.newRepo(consumerFiles);
    const name = repoNameOf(consumer.origin, 2);
    const before = await library.branchCommit('main');
    h.model.push(
      // The reply waits: the human's commit lands after the task took its bases, before delivery.
      { ...greetingEdit('hi'), delayMs: 1500 },
      welcomeEdit(name, '', "module.exports = 'hi';\n"),
      { text: 'The library and its user greet anew.' },
    );
    const created = await submitTask(h.server.baseUrl, {
      title: 'Greet with hi while the user moves',
      repos: [
        { repo: library.origin, role: 'library' },
        { repo: consumer.origin, role: 'consumer' },
      ],
    });
    await waitForTask(h.server.baseUrl, created.id, (t) => t.steps.some((s) => s.tool === 'codegen'));
    await consumer.commit('main', files, 'Human change on main');
    const task = await waitForTerminal(h.server.baseUrl, created.id, 180_000);
    return { library, consumer, name, task, before };
  }

  it('replays the user onto its main that moved while the task worked, tested against the merged library, and merges it', async () => {
    const { library, consumer, name, task } = await deliveredWhileUserMoves({ 'NOTES.md': 'By hand.\n' });
    expect(task.error).toBeNull();
    expect(task.status).toBe('merged');
    expect(task.pull_requests.map((pr) => [pr.role, pr.status])).toEqual([
      ['library', 'merged'],
      ['consumer', 'merged'],
    ]);
    // The user's main holds the human's commit and, on it, the task's change; nothing was reverted.
    const tip = (await consumer.branchCommit('main')) ?? '';
    expect(task.pull_requests[1]?.merge_commit).toBe(tip);
    expect(await consumer.readFileAt('main', 'NOTES.md')).toBe('By hand.\n');
    expect(await consumer.readFileAt('main', 'welcome.js')).toBe("module.exports = 'hi';\n");
    expect((await git(consumer.origin, ['log', '-1', '--format=%s', `${tip}^`])).trim()).toBe(
      'Human change on main',
    );
    expect(await library.readFileAt('main', 'index.js')).toContain('hi');
    expect(step(task, `deliver.git_rebase@${name}#1`)?.status).toBe('succeeded');
    expect(step(task, `deliver.test@${name}#1`)?.output_summary).toMatch(
      /^passed: linked to greetlib \(npm\)/,
    );
    expect(step(task, `deliver.git_push@${name}#2`)?.status).toBe('succeeded');
    expect(task.steps.map((s) => s.tool)).not.toContain('git_revert');
  }, 240_000);

  it("reverts the merged library when the user's moved main conflicts with the user's change, naming the conflict", async () => {
    const { library, consumer, task, before } = await deliveredWhileUserMoves({
      'welcome.js': "module.exports = 'hello';\n",
    });
    expect(task.status).toBe('failed');
    expect(task.error?.code).toBe('MULTI_REPO_MERGE_FAILED');
    expect(task.error?.message).toContain(`the pull request in ${consumer.origin} could not merge`);
    expect(task.error?.message).toMatch(
      /base branch main of .* moved to [0-9a-f]{12} and its change conflicts with it in: welcome\.js/,
    );
    expect(task.error?.message).toContain(
      `the merged ones were reverted (a revert pull request merged in each): ${library.origin}`,
    );
    expect(task.pull_requests.map((pr) => [pr.role, pr.status])).toEqual([
      ['library', 'merged'],
      ['consumer', 'open'],
      ['revert', 'merged'],
    ]);
    expect(await library.readFileAt('main', 'index.js')).toBe(NPM_LIBRARY_REPO['index.js']);
    expect(await library.branchCommit('main')).not.toBe(before);
    expect(await consumer.readFileAt('main', 'welcome.js')).toBe("module.exports = 'hello';\n");
  }, 240_000);

  /** Another task merges a new file into greetlib's main by itself: the waiting tasks' base moved. */
  async function mergeNotesInto(origin: string): Promise<void> {
    h.model.push({ text: NOTES_REPLY });
    const other = await submitTask(h.server.baseUrl, {
      title: 'Add notes',
      description: 'Add NOTES.md.',
      repo: origin,
      risk_tier: 'low',
    });
    const done = await waitForTerminal(h.server.baseUrl, other.id, 120_000);
    expect(done.error).toBeNull();
    expect(done.status).toBe('merged');
  }

  /** The waiting task once its update ran: back in awaiting_review after its first update step. */
  const afterUpdate = (id: string) =>
    waitForTask(
      h.server.baseUrl,
      id,
      (t) =>
        t.status === 'awaiting_review' &&
        t.steps.some((s) => s.key === 'update.git_rebase#1' && s.status !== 'running'),
      180_000,
    );

  it('brings the library and its user up to date when both bases moved while they wait (update_waiting_prs)', async () => {
    const { library, consumer, name, task } = await waitingTask();
    const branch = task.branch ?? '';
    const [libraryHead, consumerHead] = task.pull_requests.map((pr) => pr.head_commit);
    await consumer.commit('main', { 'NOTES.md': 'By hand.\n' }, 'Human change on the user');
    await mergeNotesInto(library.origin);

    const back = await afterUpdate(task.id);
    expect(back.error).toBeNull();
    const [libraryMain, consumerMain] = [
      await library.branchCommit('main'),
      await consumer.branchCommit('main'),
    ];
    // Each branch replayed onto its repository's main as it is now, pushed, and its pull request's head.
    const heads = [await library.branchCommit(branch), await consumer.branchCommit(branch)];
    expect(heads[0]).not.toBe(libraryHead);
    expect(heads[1]).not.toBe(consumerHead);
    expect((await git(library.origin, ['rev-parse', `${heads[0] ?? ''}^`])).trim()).toBe(libraryMain);
    expect((await git(consumer.origin, ['rev-parse', `${heads[1] ?? ''}^`])).trim()).toBe(consumerMain);
    expect(await consumer.readFileAt(branch, 'welcome.js')).toBe("module.exports = 'hi';\n");
    expect(back.pull_requests.map((pr) => pr.head_commit)).toEqual(heads);
    // The user built against the updated library, and checked, as steps of the update.
    expect(step(back, `update.git_rebase@${name}#1`)?.status).toBe('succeeded');
    expect(step(back, `update.test@${name}#1`)?.output_summary).toMatch(
      /^passed: linked to greetlib \(npm\)/,
    );
    expect(step(back, `update.git_push@${name}#1`)?.status).toBe('succeeded');
    expect(step(back, 'update.policy#1')?.status).toBe('succeeded');
    const updated = (await events(task.id)).find((e) => e.type === 'pr.base_updated');
    expect(updated?.data).toMatchObject({
      base: libraryMain,
      head: heads[0],
      repos: [{ repo: consumer.origin, base: consumerMain, head: heads[1] }],
    });
  }, 300_000);

  it("fails the update naming the user when the user's moved main conflicts with its change, leaving its pull request", async () => {
    const { library, consumer, task } = await waitingTask();
    const branch = task.branch ?? '';
    const [libraryHead, consumerHead] = task.pull_requests.map((pr) => pr.head_commit);
    await consumer.commit('main', { 'welcome.js': "module.exports = 'hello';\n" }, 'Human welcome');
    await mergeNotesInto(library.origin);

    const back = await afterUpdate(task.id);
    expect(back.error?.code).toBe('PR_UPDATE_FAILED');
    expect(back.error?.message).toContain(
      `in ${consumer.origin}: base branch main of ${consumer.origin} moved`,
    );
    expect(back.error?.message).toContain('conflicts with it in: welcome.js');
    const failed = (await events(task.id)).find((e) => e.type === 'pr.update_failed');
    expect(String(failed?.data.reason)).toContain(consumer.origin);
    // Nothing pushed: the library replayed fine, but waits for every repository before its push.
    expect([await library.branchCommit(branch), await consumer.branchCommit(branch)]).toEqual([
      libraryHead,
      consumerHead,
    ]);
    expect(back.pull_requests.map((pr) => pr.head_commit)).toEqual([libraryHead, consumerHead]);
    expect(back.steps.filter((s) => s.key.startsWith('update.git_push'))).toEqual([]);
  }, 300_000);

  it("is brought up to date when another task merges into its user's main (update_waiting_prs)", async () => {
    // A user whose test passes with either greeting: a task of its own (built against the published
    // library) passes its tests and merges.
    const { consumer, name, task } = await waitingTask({
      ...consumerFiles,
      'test.js': nodeTest('greets', "assert.match(require('greetlib').hello('js'), /^(hi|hello) js$/);"),
    });
    const branch = task.branch ?? '';
    const consumerHead = task.pull_requests[1]?.head_commit;
    // Another task merges into the user's main only: the library's base did not move.
    await mergeNotesInto(consumer.origin);
    const consumerMain = await consumer.branchCommit('main');

    const back = await afterUpdate(task.id);
    expect(back.error).toBeNull();
    const requested = (await events(task.id)).find((e) => e.type === 'pr.update_requested');
    expect(String(requested?.data.reason)).toContain(`base branch main of ${consumer.origin} moved`);
    const head = await consumer.branchCommit(branch);
    expect(head).not.toBe(consumerHead);
    expect((await git(consumer.origin, ['rev-parse', `${head ?? ''}^`])).trim()).toBe(consumerMain);
    expect(back.pull_requests[1]?.head_commit).toBe(head);
    expect(step(back, `update.test@${name}#1`)?.output_summary).toMatch(/^passed: linked to greetlib/);
  }, 300_000);
});

/** A change that touches nothing the task's change touches: a new file. */
const NOTES_REPLY = [
  '```diff',
  '--- /dev/null',
  '+++ b/NOTES.md',
  '@@ -0,0 +1 @@',
  '+Notes.',
  '```',
  '',
].join('\n');
