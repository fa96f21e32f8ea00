import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createHmac } from 'node:crypto';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/config/load.js';
import { createGiteaForge, type GiteaForgeConfig } from '../../src/forges/gitea.js';
import { createForge, type ForgeDeps } from '../../src/forges/index.js';
import type { Forge, MergeMethod } from '../../src/forges/types.js';
import { startFakeGitea, type FakeGitea } from '../helpers/fake-gitea/index.js';
import { pushBranch } from './forge-git.js';
import {
  expectErrorCodes,
  pullRequestInput,
  pushAndOpen,
  recordingSleep,
  somePullRequest,
  startWebhookReceiver,
} from './forge-test-kit.js';

const TOKEN = 'gitea-token-5f3c9e1d7a';
let fake: FakeGitea;
let repoCount = 0;
const sleeps: number[] = [];

beforeAll(async () => {
  fake = await startFakeGitea({ token: TOKEN });
}, 300_000);
afterAll(() => fake.close());
afterEach(() => {
  // Every request autodev made, and every answer the fake gave, fits Gitea's published swagger.
  expect(fake.violations.splice(0)).toEqual([]);
  expect(fake.requests.join('\n')).not.toContain(TOKEN);
});

function forgeWith(overrides: Partial<GiteaForgeConfig> = {}): Forge {
  const config: GiteaForgeConfig = { apiUrl: fake.apiUrl, token: TOKEN, mergeMethod: 'merge', ...overrides };
  return createGiteaForge(config, { sleep: recordingSleep(sleeps) });
}

/** A fresh repo with a pushed feature branch and autodev's pull request for it. */
async function openPullRequest(forge: Forge, files: Record<string, string> = { 'feature.txt': 'new\n' }) {
  repoCount += 1;
  const name = `repo${repoCount}`;
  await fake.createRepo('team', name);
  const repo = fake.repoUrl('team', name);
  const { head, pr } = await pushAndOpen(forge, repo, `task-${repoCount}`, files);
  return { name, repo, head, pr };
}

describe('gitea forge: pull requests', () => {
  it('opens a pull request once, with its labels, and finds the same one again', async () => {
    const forge = forgeWith();
    const { name, repo, head, pr } = await openPullRequest(forge);
    expect(pr).toMatchObject({
      forge: 'gitea',
      number: 1,
      status: 'open',
      head_commit: head,
      branch: 'autodev/task-1',
    });
    expect(pr.url).toContain('/team/');
    const again = await forge.ensurePullRequest(
      pullRequestInput(repo, head, { taskId: pr.task_id, labels: ['autodev', 'risk:low'] }),
    );
    expect(again.number).toBe(1);
    const state = fake.repo('team', name);
    expect(state.pulls).toHaveLength(1);
    expect(state.labels.map((l) => l.name).sort()).toEqual(['autodev', 'risk:low']);
    expect(state.pulls[0]?.labels).toHaveLength(2);
  });

  it('answers the pull request another run opened between its lookup and its create (409)', async () => {
    const forge = forgeWith();
    repoCount += 1;
    const name = `repo${repoCount}`;
    await fake.createRepo('team', name);
    const repo = fake.repoUrl('team', name);
    const head = await pushBranch(repo, forge.gitAuth(), 'autodev/task-1', { 'a.txt': 'a\n' });
    const input = pullRequestInput(repo, head, { title: 'T', body: '' });
    fake.failNext({
      match: `POST /api/v1/repos/team/${name}/pulls`,
      status: 409,
      before: () => forgeWith().ensurePullRequest(input),
    });
    expect(await forge.ensurePullRequest(input)).toMatchObject({ number: 1 });
    expect(fake.repo('team', name).pulls).toHaveLength(1);
  });

  it('replaces the body and comments once per key', async () => {
    const forge = forgeWith();
    const { name, pr } = await openPullRequest(forge);
    await forge.updateBody(pr, 'checks table, round 2');
    await forge.comment(pr, 'round-1', 'Answered the review.');
    await forge.comment(pr, 'round-1', 'Answered the review.');
    await forge.comment(pr, 'round-2', 'Answered again.');
    const state = fake.repo('team', name);
    expect(state.pulls[0]?.body).toBe('checks table, round 2');
    expect(state.comments.map((c) => c.body)).toEqual([
      'Answered the review.\n\n<!-- autodev:round-1 -->',
      'Answered again.\n\n<!-- autodev:round-2 -->',
    ]);
  });

  it('reads approvals, requested changes with their lines, and comments back, oldest first', async () => {
    const forge = forgeWith();
    const { pr } = await openPullRequest(forge);
    const name = `repo${repoCount}`;
    await fake.requestChanges('team', name, 1, 'alice', 'Please rename', [
      { path: 'feature.txt', line: 1, body: 'bad name' },
    ]);
    await fake.approve('team', name, 1, 'bob');
    await forge.comment(pr, 'round-1', 'Fixed.');
    const activity = await forge.readActivity(pr);
    expect(activity.state).toBe('open');
    expect(activity.headCommit).toBe(pr.head_commit);
    expect(activity.items.map((i) => [i.kind, i.by, i.body, i.path, i.line])).toEqual([
      ['changes_requested', 'alice', 'Please rename', undefined, undefined],
      ['comment', 'alice', 'bad name', 'feature.txt', 1],
      ['approval', 'bob', 'LGTM', undefined, undefined],
    ]);
    // Ids are stable, so a webhook and a poll reporting the same review are recorded once.
    const again = await forge.readActivity(pr);
    expect(again.items.map((i) => i.id)).toEqual(activity.items.map((i) => i.id));
  });

  it("reads the pull request's author, and each account's write permission from the collaborator permission API", async () => {
    const forge = forgeWith();
    const { name, repo, pr } = await openPullRequest(forge);
    expect((await forge.readActivity(pr)).author).toBe('autodev');
    fake.setPermission('team', name, 'wanda', 'write');
    fake.setPermission('team', name, 'olga', 'owner');
    fake.setPermission('team', name, 'rita', 'read');
    const permission = (login: string) => forge.reviewerPermission(repo, login);
    expect(await permission('wanda')).toEqual({ canWrite: true, level: 'write' });
    expect(await permission('olga')).toEqual({ canWrite: true, level: 'owner' });
    expect(await permission('autodev')).toEqual({ canWrite: true, level: 'admin' });
    expect(await permission('rita')).toEqual({ canWrite: false, level: 'read' });
    expect(await permission('stranger')).toEqual({ canWrite: false, level: 'none' });
    // Gitea answers 403 to a token that may not read others' permissions, 404 for no such user.
    fake.failNext({ status: 403 });
    await expect(permission('ghost')).rejects.toMatchObject({ code: expect.stringMatching(/^FORGE_/) });
    expect(fake.requests.join('\n')).toContain(`/repos/team/${name}/collaborators/wanda/permission`);
  });
});

describe('gitea forge: merging and closing', () => {
  it.each<MergeMethod>(['merge', 'squash', 'rebase'])(
    'merges with method %s, and merging again answers merged',
    async (method) => {
      const forge = forgeWith({ mergeMethod: method });
      const { name, pr, head } = await openPullRequest(forge);
      const result = await forge.merge({ pullRequest: pr, workspaceDir: '/nonexistent' });
      expect(result.merged).toBe(true);
      const state = fake.repo('team', name);
      expect(state.pulls[0]).toMatchObject({ merged: true, state: 'closed' });
      if (result.merged) {
        if (method === 'rebase') expect(result.mergeCommit).toBe(head);
        else expect(result.mergeCommit).not.toBe(head);
      }
      expect(await forge.merge({ pullRequest: pr, workspaceDir: '/nonexistent' })).toEqual(result);
      expect((await forge.readActivity(pr)).state).toBe('merged');
    },
  );

  it('refuses to merge a head that moved since the checks (head_commit_id guard)', async () => {
    const forge = forgeWith();
    const { pr, repo } = await openPullRequest(forge);
    await pushBranch(repo, forge.gitAuth(), 'autodev/task-1', { 'late.txt': 'x\n' }, 'autodev/task-1');
    const result = await forge.merge({ pullRequest: pr, workspaceDir: '/nonexistent' });
    expect(result).toMatchObject({ merged: false });
    if (!result.merged) expect(result.reason).toContain('409');
  });

  it('refuses a merge that conflicts with the base branch', async () => {
    const forge = forgeWith();
    const { pr, repo } = await openPullRequest(forge, { 'README.md': 'branch version\n' });
    await pushBranch(repo, forge.gitAuth(), 'main', { 'README.md': 'main version\n' });
    const result = await forge.merge({ pullRequest: pr, workspaceDir: '/nonexistent' });
    expect(result).toMatchObject({ merged: false });
  });

  it('closes, and closing again is a success', async () => {
    const forge = forgeWith();
    const { name, pr } = await openPullRequest(forge);
    await forge.close(pr);
    await forge.close(pr);
    expect(fake.repo('team', name).pulls[0]?.state).toBe('closed');
    expect((await forge.readActivity(pr)).state).toBe('closed');
    expect(await forge.merge({ pullRequest: pr, workspaceDir: '/nonexistent' })).toMatchObject({
      merged: false,
    });
  });

  it('notices a human merge, and then merge answers merged with the human merge commit', async () => {
    const forge = forgeWith();
    const { name, pr } = await openPullRequest(forge);
    await fake.mergeAsHuman('team', name, 1);
    const activity = await forge.readActivity(pr);
    const mergeCommit = fake.repo('team', name).pulls[0]?.mergeCommit;
    expect(activity).toMatchObject({ state: 'merged', mergeCommit });
    expect(await forge.merge({ pullRequest: pr, workspaceDir: '/nonexistent' })).toEqual({
      merged: true,
      mergeCommit,
    });
  });

  it('opens a revert pull request for a merged one from a pushed revert branch', async () => {
    const forge = forgeWith();
    const { name, repo, pr } = await openPullRequest(forge);
    await forge.merge({ pullRequest: pr, workspaceDir: '/nonexistent' });
    const revertHead = await pushBranch(repo, forge.gitAuth(), 'autodev/revert-task-1', {
      'feature.txt': '',
    });
    const revert = await forge.ensurePullRequest(
      pullRequestInput(repo, revertHead, {
        taskId: pr.task_id,
        branch: 'autodev/revert-task-1',
        title: 'Revert "Add feature"',
        body: 'Reverts #1',
        labels: ['autodev'],
      }),
    );
    expect(revert).toMatchObject({ number: 2, status: 'open', head_commit: revertHead });
    expect(fake.repo('team', name).pulls.map((p) => p.state)).toEqual(['closed', 'open']);
  });
});

describe('gitea forge: failures', () => {
  const somePr = () => somePullRequest('gitea', fake.repoUrl('team', 'repo1'));

  it('waits out a 429 for its Retry-After, and a 5xx with a short backoff, then succeeds', async () => {
    const forge = forgeWith();
    sleeps.length = 0;
    fake.failNext({ status: 429, headers: { 'retry-after': '3' } }, { status: 502 });
    const activity = await forge.readActivity(somePr());
    expect(activity.state).toBeDefined();
    expect(sleeps).toEqual([3000, 400]);
  });

  it('gives up with FORGE_RATE_LIMITED when the reset is far away, and FORGE_FAILED after repeated 5xx', async () => {
    const forge = forgeWith();
    const reset = String(Math.floor(Date.now() / 1000) + 3600);
    fake.failNext({ status: 429, headers: { 'x-ratelimit-reset': reset } });
    await expect(forge.readActivity(somePr())).rejects.toMatchObject({
      code: 'FORGE_RATE_LIMITED',
      retryable: true,
    });
    fake.failNext({ status: 500 }, { status: 500 }, { status: 503 }, { status: 500 });
    await expect(forge.readActivity(somePr())).rejects.toMatchObject({
      code: 'FORGE_FAILED',
      retryable: true,
    });
  });

  it('maps 401, 404, 405, 409 and 422 to forge error codes without the token in the message', async () => {
    await expectErrorCodes({ failNext: fake.failNext, forge: forgeWith, pr: somePr(), token: TOKEN });
    const wrongToken = createGiteaForge({ apiUrl: fake.apiUrl, token: 'wrong-token', mergeMethod: 'merge' });
    await expect(wrongToken.readActivity(somePr())).rejects.toMatchObject({ code: 'FORGE_AUTH' });
    await expect(
      forgeWith().readActivity({ ...somePr(), repo: fake.repoUrl('team', 'missing') }),
    ).rejects.toMatchObject({
      code: 'FORGE_NOT_FOUND',
    });
  });

  it('names the variable holding the token when the API refuses it (the forge as the runtime builds it)', async () => {
    const file = join(mkdtempSync(join(tmpdir(), 'autodev-gitea-config-')), 'config.toml');
    writeFileSync(file, `[autodev]\nprovider = "gitea"\n[autodev.git]\napi_url = "${fake.apiUrl}"\n`);
    const config = loadConfig({ file, env: { GITEA_TOKEN: 'wrong-token' } });
    // Only the local forge reads the deps.
    const forge = await createForge(config, {} as ForgeDeps);
    const error = await forge.readActivity(somePr()).then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(error).toMatchObject({ code: 'FORGE_AUTH' });
    expect((error as Error).message).toContain('the token in GITEA_TOKEN');
    expect((error as Error).message).toContain('[autodev.git] gitea_token_env');
    expect((error as Error).message).not.toContain('wrong-token');
  });

  it('sends the token only as a header, over loopback http or https', async () => {
    const forge = forgeWith();
    await forge.readActivity(somePr());
    expect(fake.authorizations.at(-1)).toBe(`token ${TOKEN}`);
    const remoteHttp = createGiteaForge({
      apiUrl: 'http://gitea.example.com',
      token: TOKEN,
      mergeMethod: 'merge',
    });
    await expect(
      remoteHttp.readActivity({ ...somePr(), repo: 'https://gitea.example.com/team/repo1' }),
    ).rejects.toMatchObject({
      code: 'REPO_REFUSED',
    });
    expect(forge.gitAuth()).toEqual({ username: 'autodev', password: TOKEN });
  });

  it('needs [autodev.git] api_url and refuses repos on another host', () => {
    expect(() => createGiteaForge({ apiUrl: undefined, token: TOKEN, mergeMethod: 'merge' })).toThrow(
      /\[autodev\.git\] api_url/,
    );
    expect(() => forgeWith().locate('https://github.com/team/repo1')).toThrow(
      expect.objectContaining({ code: 'REPO_NOT_ON_FORGE' }),
    );
    expect(forgeWith().locate(fake.repoUrl('team', 'repo1'))).toMatchObject({
      owner: 'team',
      name: 'repo1',
      path: 'team/repo1',
    });
  });
});

describe('gitea forge: webhooks', () => {
  const body = Buffer.from(
    JSON.stringify({
      action: 'reviewed',
      pull_request: { number: 7, head: { ref: 'autodev/x' } },
      repository: { full_name: 'team/repo1' },
    }),
  );
  const sign = (secret: string) => createHmac('sha256', secret).update(body).digest('hex');

  it('accepts Gitea and Forgejo signatures and refuses bad or missing ones', async () => {
    const forge = forgeWith();
    expect(
      await forge.verifyWebhook(
        { headers: { 'x-gitea-signature': sign('s3cret') }, rawBody: body },
        's3cret',
      ),
    ).toBe(true);
    expect(
      await forge.verifyWebhook(
        { headers: { 'x-forgejo-signature': sign('s3cret') }, rawBody: body },
        's3cret',
      ),
    ).toBe(true);
    expect(
      await forge.verifyWebhook({ headers: { 'x-gitea-signature': sign('other') }, rawBody: body }, 's3cret'),
    ).toBe(false);
    expect(await forge.verifyWebhook({ headers: {}, rawBody: body }, 's3cret')).toBe(false);
    expect(await forge.verifyWebhook({ headers: { 'x-gitea-signature': sign('') }, rawBody: body }, '')).toBe(
      false,
    );
  });

  it('names the pull request a review event is about, and none for other events', () => {
    const forge = forgeWith();
    expect(
      forge.webhookTarget({ headers: { 'x-gitea-event': 'pull_request_review_approved' }, rawBody: body }),
    ).toEqual({
      repo: { repo: 'team/repo1', path: 'team/repo1', owner: 'team', name: 'repo1' },
      number: 7,
      branch: 'autodev/x',
    });
    expect(forge.webhookTarget({ headers: { 'x-gitea-event': 'push' }, rawBody: body })).toBeUndefined();
    expect(
      forge.webhookTarget({ headers: { 'x-gitea-event': 'pull_request' }, rawBody: Buffer.from('{') }),
    ).toBeUndefined();
  });
});

describe('fake gitea: contract checking and signed review webhooks', () => {
  it('refuses and records a request that Gitea swagger does not allow', async () => {
    const answer = await fetch(`${fake.apiUrl}/api/v1/repos/team/repo1/pulls/1/merge`, {
      method: 'POST',
      headers: { authorization: `token ${TOKEN}`, 'content-type': 'application/json' },
      body: JSON.stringify({ Do: 'merge', head_commit: 'abc' }),
    });
    expect(answer.status).toBe(400);
    expect(fake.violations.splice(0)).toEqual([
      "POST /repos/{owner}/{repo}/pulls/{index}/merge: body data must have required property 'do'",
      'POST /repos/{owner}/{repo}/pulls/{index}/merge: body field Do is not in MergePullRequestOption',
      'POST /repos/{owner}/{repo}/pulls/{index}/merge: body field head_commit is not in MergePullRequestOption',
    ]);
  });

  it('signs review webhooks so the forge verifies them and finds their pull request', async () => {
    const receiver = await startWebhookReceiver();
    const { received } = receiver;
    const hooked = await startFakeGitea({
      token: TOKEN,
      webhook: { url: receiver.url, secret: 'hook-secret' },
    });
    try {
      await hooked.createRepo('team', 'hooked');
      const forge = createGiteaForge({ apiUrl: hooked.apiUrl, token: TOKEN, mergeMethod: 'merge' });
      const repo = hooked.repoUrl('team', 'hooked');
      const head = await pushBranch(repo, forge.gitAuth(), 'autodev/t', { 'a.txt': 'a\n' });
      await forge.ensurePullRequest(
        pullRequestInput(repo, head, { branch: 'autodev/t', title: 't', body: '' }),
      );
      await hooked.approve('team', 'hooked', 1, 'bob');
      const [hook, ...more] = received;
      expect(more).toHaveLength(0);
      if (!hook) throw new Error('the fake sent no webhook');
      expect(await forge.verifyWebhook(hook, 'hook-secret')).toBe(true);
      expect(await forge.verifyWebhook(hook, 'other')).toBe(false);
      expect(forge.webhookTarget(hook)).toMatchObject({
        number: 1,
        branch: 'autodev/t',
        repo: { path: 'team/hooked' },
      });
      expect(hooked.violations).toEqual([]);
    } finally {
      await hooked.close();
      await receiver.close();
    }
  });
});
