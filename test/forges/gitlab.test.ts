import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { createGitlabForge, type GitlabForgeConfig } from '../../src/forges/gitlab.js';
import type { Forge, MergeMethod } from '../../src/forges/types.js';
import { startFakeGitlab, type FakeGitlab } from '../helpers/fake-gitlab/index.js';
import { pushBranch } from './forge-git.js';
import {
  expectErrorCodes,
  pullRequestInput,
  pushAndOpen,
  recordingSleep,
  somePullRequest,
  startWebhookReceiver,
} from './forge-test-kit.js';

const TOKEN = 'glpat-7d2e9c4b1a0f';
let fake: FakeGitlab;
let repoCount = 0;
const sleeps: number[] = [];

beforeAll(async () => {
  fake = await startFakeGitlab({ token: TOKEN });
});
afterAll(() => fake.close());
afterEach(() => {
  // Every request autodev made fits the transcribed GitLab contract, and no URL carries the token.
  expect(fake.violations.splice(0)).toEqual([]);
  expect(fake.requests.join('\n')).not.toContain(TOKEN);
});

function forgeWith(overrides: Partial<GitlabForgeConfig> = {}): Forge {
  const config: GitlabForgeConfig = { apiUrl: fake.apiUrl, token: TOKEN, mergeMethod: 'merge', ...overrides };
  return createGitlabForge(config, { rebasePollMs: 1, sleep: recordingSleep(sleeps) });
}

/** A fresh project in a subgroup, with a pushed feature branch and autodev's merge request for it. */
async function openMergeRequest(forge: Forge, files: Record<string, string> = { 'feature.txt': 'new\n' }) {
  repoCount += 1;
  const path = `team/backend/repo${repoCount}`;
  await fake.createRepo(path);
  const repo = fake.repoUrl(path);
  const { head, pr } = await pushAndOpen(forge, repo, `task-${repoCount}`, files);
  return { path, repo, head, pr };
}

describe('gitlab forge: merge requests', () => {
  it('opens a merge request once in a subgroup project, with its labels, and finds the same one again', async () => {
    const forge = forgeWith();
    const { path, repo, head, pr } = await openMergeRequest(forge);
    expect(pr).toMatchObject({
      forge: 'gitlab',
      number: 1,
      status: 'open',
      head_commit: head,
      branch: 'autodev/task-1',
    });
    expect(pr.url).toContain('/team/backend/');
    const again = await forge.ensurePullRequest(
      pullRequestInput(repo, head, { taskId: pr.task_id, labels: ['autodev', 'risk:medium'] }),
    );
    expect(again.number).toBe(1);
    expect(fake.project(path).mrs).toHaveLength(1);
    expect(fake.project(path).mrs[0]?.labels).toEqual(['autodev', 'risk:low', 'risk:medium']);
  });

  it('answers the merge request another run opened between its lookup and its create (409)', async () => {
    const forge = forgeWith();
    repoCount += 1;
    const path = `team/backend/repo${repoCount}`;
    await fake.createRepo(path);
    const repo = fake.repoUrl(path);
    const head = await pushBranch(repo, forge.gitAuth(), 'autodev/task-1', { 'a.txt': 'a\n' });
    const input = pullRequestInput(repo, head, { title: 'T', body: '' });
    fake.failNext({
      match: `POST /api/v4/projects/${encodeURIComponent(path)}/merge_requests`,
      status: 409,
      before: () => forgeWith().ensurePullRequest(input),
    });
    expect(await forge.ensurePullRequest(input)).toMatchObject({ number: 1 });
    expect(fake.project(path).mrs).toHaveLength(1);
  });

  it('replaces the description and comments once per key', async () => {
    const forge = forgeWith();
    const { path, pr } = await openMergeRequest(forge);
    await forge.updateBody(pr, 'checks table, round 2');
    await forge.comment(pr, 'round-1', 'Answered the review.');
    await forge.comment(pr, 'round-1', 'Answered the review.');
    await forge.comment(pr, 'round-2', 'Answered again.');
    expect(fake.project(path).mrs[0]?.description).toBe('checks table, round 2');
    expect(fake.project(path).notes.map((n) => n.body)).toEqual([
      'Answered the review.\n\n<!-- autodev:round-1 -->',
      'Answered again.\n\n<!-- autodev:round-2 -->',
    ]);
  });

  it('reads an unresolved diff note as changes requested, a plain note as a comment, and approvals', async () => {
    const forge = forgeWith();
    const { path, pr } = await openMergeRequest(forge);
    await fake.requestChanges(path, 1, 'alice', 'rename this', { path: 'feature.txt', line: 1 });
    await fake.comment(path, 1, 'carol', 'nice');
    await fake.approve(path, 1, 'bob');
    await forge.comment(pr, 'round-1', 'Fixed.');
    const activity = await forge.readActivity(pr);
    expect(activity).toMatchObject({ state: 'open', headCommit: pr.head_commit });
    expect(activity.items.map((i) => [i.kind, i.by, i.body, i.path, i.line])).toEqual([
      ['changes_requested', 'alice', 'rename this', 'feature.txt', 1],
      ['comment', 'carol', 'nice', undefined, undefined],
      ['approval', 'bob', '', undefined, undefined],
    ]);
    fake.resolveAll(path, 1);
    const resolved = await forge.readActivity(pr);
    expect(resolved.items[0]).toMatchObject({ kind: 'comment', id: activity.items[0]?.id });
  });

  it("reads the merge request's author, and each account's write permission from the project's members (inherited ones too)", async () => {
    const forge = forgeWith();
    const { path, repo, pr } = await openMergeRequest(forge);
    expect((await forge.readActivity(pr)).author).toBe('autodev');
    fake.setAccess(path, 'dev', 30);
    fake.setAccess(path, 'rita', 20);
    // The members search matches parts of names: "devon" (a guest) must not lend "dev" its level or
    // the other way round.
    fake.setAccess(path, 'devon', 10);
    const permission = (login: string) => forge.reviewerPermission(repo, login);
    expect(await permission('dev')).toEqual({ canWrite: true, level: 'developer (30)' });
    expect(await permission('autodev')).toEqual({ canWrite: true, level: 'maintainer (40)' });
    expect(await permission('devon')).toEqual({ canWrite: false, level: 'guest (10)' });
    expect(await permission('rita')).toEqual({ canWrite: false, level: 'reporter (20)' });
    expect(await permission('stranger')).toEqual({ canWrite: false, level: 'not a member' });
    fake.failNext({ status: 403 });
    await expect(permission('ghost')).rejects.toMatchObject({ code: expect.stringMatching(/^FORGE_/) });
    expect(fake.requests.join('\n')).toContain('/members/all?');
  });
});

describe('gitlab forge: merging and closing', () => {
  it.each<MergeMethod>(['merge', 'squash', 'rebase'])(
    'merges with method %s, and merging again answers merged',
    async (method) => {
      const forge = forgeWith({ mergeMethod: method });
      const { path, pr } = await openMergeRequest(forge);
      const result = await forge.merge({ pullRequest: pr, workspaceDir: '/nonexistent' });
      expect(result.merged).toBe(true);
      const mr = fake.project(path).mrs[0];
      expect(mr?.state).toBe('merged');
      if (result.merged) expect(result.mergeCommit).toBe(mr?.mergeCommit);
      expect(await forge.merge({ pullRequest: pr, workspaceDir: '/nonexistent' })).toEqual(result);
      expect((await forge.readActivity(pr)).state).toBe('merged');
    },
  );

  it('rebases a branch whose base moved before merging with method rebase', async () => {
    const forge = forgeWith({ mergeMethod: 'rebase' });
    const { path, repo, pr } = await openMergeRequest(forge);
    await pushBranch(repo, forge.gitAuth(), 'main', { 'other.txt': 'base moved\n' });
    const result = await forge.merge({ pullRequest: pr, workspaceDir: '/nonexistent' });
    expect(result.merged).toBe(true);
    expect(fake.requests.some((r) => r.startsWith('PUT') && r.endsWith('/merge_requests/1/rebase'))).toBe(
      true,
    );
    expect(fake.project(path).mrs[0]?.state).toBe('merged');
  });

  it('refuses to merge a head that moved since the checks, and a conflicting one', async () => {
    const forge = forgeWith();
    const moved = await openMergeRequest(forge);
    await pushBranch(moved.repo, forge.gitAuth(), 'autodev/task-1', { 'late.txt': 'x\n' }, 'autodev/task-1');
    expect(await forge.merge({ pullRequest: moved.pr, workspaceDir: '/nonexistent' })).toMatchObject({
      merged: false,
    });

    const conflict = await openMergeRequest(forge, { 'README.md': 'branch version\n' });
    await pushBranch(conflict.repo, forge.gitAuth(), 'main', { 'README.md': 'main version\n' });
    const result = await forge.merge({ pullRequest: conflict.pr, workspaceDir: '/nonexistent' });
    expect(result).toMatchObject({ merged: false });
    if (!result.merged) expect(result.reason).toContain('406');
  });

  it('closes, and closing again is a success', async () => {
    const forge = forgeWith();
    const { path, pr } = await openMergeRequest(forge);
    await forge.close(pr);
    await forge.close(pr);
    expect(fake.project(path).mrs[0]?.state).toBe('closed');
    expect((await forge.readActivity(pr)).state).toBe('closed');
  });

  it('notices a human merge, and then merge answers merged with the human merge commit', async () => {
    const forge = forgeWith();
    const { path, pr } = await openMergeRequest(forge);
    await fake.mergeAsHuman(path, 1);
    const mergeCommit = fake.project(path).mrs[0]?.mergeCommit;
    expect(await forge.readActivity(pr)).toMatchObject({ state: 'merged', mergeCommit });
    expect(await forge.merge({ pullRequest: pr, workspaceDir: '/nonexistent' })).toEqual({
      merged: true,
      mergeCommit,
    });
  });

  it('opens a revert merge request from a pushed revert branch', async () => {
    const forge = forgeWith();
    const { path, repo, pr } = await openMergeRequest(forge);
    await forge.merge({ pullRequest: pr, workspaceDir: '/nonexistent' });
    const revertHead = await pushBranch(repo, forge.gitAuth(), 'autodev/revert-task-1', {
      'feature.txt': '',
    });
    const revert = await forge.ensurePullRequest(
      pullRequestInput(repo, revertHead, {
        taskId: pr.task_id,
        branch: 'autodev/revert-task-1',
        title: 'Revert "Add feature"',
        body: 'Reverts !1',
      }),
    );
    expect(revert).toMatchObject({ number: 2, status: 'open', head_commit: revertHead });
    expect(fake.project(path).mrs.map((m) => m.state)).toEqual(['merged', 'opened']);
  });
});

describe('gitlab forge: failures', () => {
  const somePr = () => somePullRequest('gitlab', fake.repoUrl('team/backend/repo1'));

  it('waits out a 429 for its RateLimit-Reset, and a 5xx with a short backoff, then succeeds', async () => {
    const forge = forgeWith();
    sleeps.length = 0;
    fake.failNext(
      { status: 429, headers: { 'ratelimit-reset': String(Math.floor(Date.now() / 1000) + 2) } },
      { status: 503 },
    );
    await forge.updateBody(somePr(), 'after the limit');
    expect(sleeps).toHaveLength(2);
    expect(sleeps[0]).toBeGreaterThan(500);
    expect(sleeps[0]).toBeLessThanOrEqual(2000);
    expect(sleeps[1]).toBe(400);
  });

  it('gives up with FORGE_RATE_LIMITED on a far Retry-After, and FORGE_FAILED after repeated 5xx', async () => {
    fake.failNext({ status: 429, headers: { 'retry-after': '3600' } });
    await expect(forgeWith().readActivity(somePr())).rejects.toMatchObject({
      code: 'FORGE_RATE_LIMITED',
      retryable: true,
    });
    fake.failNext({ status: 500 }, { status: 502 }, { status: 503 }, { status: 500 });
    await expect(forgeWith().readActivity(somePr())).rejects.toMatchObject({
      code: 'FORGE_FAILED',
      retryable: true,
    });
  });

  it('maps 401, 403, 404, 405, 409 and 422 to forge error codes without the token in the message', async () => {
    await expectErrorCodes({ failNext: fake.failNext, forge: forgeWith, pr: somePr(), token: TOKEN });
    const wrongToken = createGitlabForge({ apiUrl: fake.apiUrl, token: 'wrong', mergeMethod: 'merge' });
    await expect(wrongToken.readActivity(somePr())).rejects.toMatchObject({ code: 'FORGE_AUTH' });
  });

  it('sends the token only as PRIVATE-TOKEN over loopback http or https, and oauth2 for git', async () => {
    const forge = forgeWith();
    await forge.updateBody(somePr(), 'y');
    expect(fake.authorizations.at(-1)).toBe(TOKEN);
    expect(forge.gitAuth()).toEqual({ username: 'oauth2', password: TOKEN });
    const plain = createGitlabForge({
      apiUrl: 'http://gitlab.example.com',
      token: TOKEN,
      mergeMethod: 'merge',
    });
    await expect(
      plain.updateBody({ ...somePr(), repo: 'https://gitlab.example.com/team/repo1' }, 'z'),
    ).rejects.toMatchObject({
      code: 'REPO_REFUSED',
    });
  });

  it('locates nested projects on its host, gitlab.com by default', () => {
    expect(forgeWith().locate(fake.repoUrl('team/backend/repo1'))).toMatchObject({
      path: 'team/backend/repo1',
      owner: 'team/backend',
      name: 'repo1',
    });
    const saas = createGitlabForge({ apiUrl: undefined, token: TOKEN, mergeMethod: 'merge' });
    expect(saas.locate('https://gitlab.com/a/b/c')).toMatchObject({ path: 'a/b/c' });
    expect(() => saas.locate('https://github.com/a/b')).toThrow(
      expect.objectContaining({ code: 'REPO_NOT_ON_FORGE' }),
    );
  });
});

describe('gitlab forge: webhooks', () => {
  const mrHook = Buffer.from(
    JSON.stringify({
      object_kind: 'merge_request',
      project: { path_with_namespace: 'team/backend/repo1' },
      object_attributes: { iid: 4, source_branch: 'autodev/x' },
    }),
  );

  it('accepts the X-Gitlab-Token secret and refuses a wrong or missing one', async () => {
    const forge = forgeWith();
    expect(
      await forge.verifyWebhook({ headers: { 'x-gitlab-token': 's3cret' }, rawBody: mrHook }, 's3cret'),
    ).toBe(true);
    expect(
      await forge.verifyWebhook({ headers: { 'x-gitlab-token': 's3creT' }, rawBody: mrHook }, 's3cret'),
    ).toBe(false);
    expect(await forge.verifyWebhook({ headers: {}, rawBody: mrHook }, 's3cret')).toBe(false);
    expect(await forge.verifyWebhook({ headers: { 'x-gitlab-token': '' }, rawBody: mrHook }, '')).toBe(false);
  });

  it('names the merge request of a Merge Request Hook or a Note Hook on one, and none otherwise', () => {
    const forge = forgeWith();
    expect(
      forge.webhookTarget({ headers: { 'x-gitlab-event': 'Merge Request Hook' }, rawBody: mrHook }),
    ).toEqual({
      repo: { repo: 'team/backend/repo1', path: 'team/backend/repo1', owner: 'team/backend', name: 'repo1' },
      number: 4,
      branch: 'autodev/x',
    });
    const note = Buffer.from(
      JSON.stringify({
        project: { path_with_namespace: 'g/r' },
        object_attributes: { noteable_type: 'MergeRequest' },
        merge_request: { iid: 9 },
      }),
    );
    expect(forge.webhookTarget({ headers: { 'x-gitlab-event': 'Note Hook' }, rawBody: note })).toMatchObject({
      number: 9,
    });
    expect(
      forge.webhookTarget({ headers: { 'x-gitlab-event': 'Push Hook' }, rawBody: mrHook }),
    ).toBeUndefined();
  });
});

describe('fake gitlab: contract checking and review webhooks', () => {
  it('refuses and records a request outside the transcribed contract', async () => {
    const answer = await fetch(
      `${fake.apiUrl}/api/v4/projects/team%2Fbackend%2Frepo1/merge_requests/1/merge`,
      {
        method: 'PUT',
        headers: { 'private-token': TOKEN, 'content-type': 'application/json' },
        body: JSON.stringify({ merge_method: 'squash' }),
      },
    );
    expect(answer.status).toBe(400);
    const violations = fake.violations.splice(0);
    expect(violations).toHaveLength(1);
    expect(violations[0]).toContain('PUT merge body');
  });

  it('sends review webhooks with X-Gitlab-Token that the forge verifies and targets', async () => {
    const receiver = await startWebhookReceiver();
    const { received } = receiver;
    const hooked = await startFakeGitlab({
      token: TOKEN,
      webhook: { url: receiver.url, secret: 'hook-secret' },
    });
    try {
      await hooked.createRepo('g/hooked');
      const forge = createGitlabForge({ apiUrl: hooked.apiUrl, token: TOKEN, mergeMethod: 'merge' });
      const repo = hooked.repoUrl('g/hooked');
      const head = await pushBranch(repo, forge.gitAuth(), 'autodev/t', { 'a.txt': 'a\n' });
      await forge.ensurePullRequest(
        pullRequestInput(repo, head, { branch: 'autodev/t', title: 't', body: '' }),
      );
      await hooked.approve('g/hooked', 1, 'bob');
      await hooked.requestChanges('g/hooked', 1, 'alice', 'fix', { path: 'a.txt', line: 1 });
      expect(received).toHaveLength(2);
      for (const hook of received) {
        expect(await forge.verifyWebhook(hook, 'hook-secret')).toBe(true);
        expect(forge.webhookTarget(hook)).toMatchObject({
          number: 1,
          branch: 'autodev/t',
          repo: { path: 'g/hooked' },
        });
      }
      expect(hooked.violations).toEqual([]);
    } finally {
      await hooked.close();
      await receiver.close();
    }
  });
});
