import { writeFile } from 'node:fs/promises';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { PullRequest } from '../../src/domain/task.js';
import { AutodevError } from '../../src/errors.js';
import { createGithubForge } from '../../src/forges/github.js';
import type { Forge } from '../../src/forges/types.js';
import { git } from '../helpers/fake-github/bare-git.js';
import { githubConfig, pushBranch } from '../helpers/fake-github/client-side.js';
import { loadGithubContract, type ContractChecker } from '../helpers/fake-github/openapi-contract.js';
import { startFakeGithub, type FakeGithub } from '../helpers/fake-github/server.js';
import { startTestRuntime } from '../helpers/runtime.js';

const TOKEN = 'ghp_testtoken0123456789abcdefABCDEF0123';
// Waits shrunk for the tests: one "second" of Retry-After or backoff lasts 20 ms.
const FAST = { msPerSecond: 20, writeSpacingMs: 0, notificationSpacingMs: 0, requestTimeoutMs: 10_000 };

describe('github forge against a fake GitHub checked by its OpenAPI description', () => {
  let contract: ContractChecker;
  let fake: FakeGithub;
  let forge: Forge;
  let repoSeq = 0;

  beforeAll(async () => {
    contract = loadGithubContract();
    fake = await startFakeGithub({ token: TOKEN, contract });
    forge = createGithubForge(await githubConfig({ apiUrl: fake.apiUrl, token: TOKEN }), { timing: FAST });
  });
  afterAll(async () => {
    await fake.close();
  });
  afterEach(() => {
    // Every request the forge made, and every answer the fake gave, matched GitHub's description.
    expect(fake.violations.splice(0)).toEqual([]);
  });

  /** A fresh repo with a pushed branch, and the pull request input for it. */
  const setup = async (files: Record<string, string> = { 'a.txt': 'a\n' }) => {
    repoSeq += 1;
    const name = `app${repoSeq}`;
    const repoUrl = await fake.createRepo('acme', name, files);
    const branch = `autodev/task-${repoSeq}`;
    const head = await pushBranch({
      repoUrl,
      auth: forge.gitAuth(),
      branch,
      change: (dir) => writeFile(join(dir, 'b.txt'), `b${repoSeq}\n`),
    });
    const input = {
      taskId: `task-${repoSeq}`,
      repo: repoUrl,
      branch,
      baseBranch: 'main',
      title: `Task ${repoSeq}`,
      body: 'the plan',
      headCommit: head,
      labels: ['autodev', 'risk:low'],
    };
    return { name, repoUrl, branch, head, input };
  };

  it('opens a pull request once: a second call finds the open one, labels set, head as pushed', async () => {
    const { input, head } = await setup();
    const first = await forge.ensurePullRequest(input);
    const again = await forge.ensurePullRequest(input);
    expect(again.number).toBe(first.number);
    expect(first).toMatchObject({ forge: 'github', status: 'open', head_commit: head, branch: input.branch });
    expect(first.url).toMatch(new RegExp(`/acme/app\\d+/pull/${first.number}$`));
    const pull = fake.pull(first.number ?? 0);
    expect(pull.labels).toEqual(['autodev', 'risk:low']);
    expect(pull.body).toBe('the plan');
    expect(fake.requests.filter((r) => r.operationId === 'pulls/create')).toHaveLength(1);
  });

  it('records the opened pull request in the store once through git_pr, with its GitHub number and URL', async () => {
    const test = await startTestRuntime({
      configToml: [
        '[autodev]',
        'provider = "github"',
        '[autodev.git]',
        `api_url = "${fake.apiUrl}"`,
        '',
      ].join('\n'),
      env: { GITHUB_TOKEN: TOKEN },
    });
    try {
      const { runtime } = test;
      const { input, name } = await setup();
      const task = await runtime.store.tasks.create({
        title: input.title,
        description: 'd',
        repo: input.repo,
        repo_normalized: input.repo,
        base_branch: 'main',
        risk_tier: 'low',
        constraints: [],
        acceptance: [],
      });
      const toolInput = {
        task_id: task.id,
        repo: input.repo,
        branch: input.branch,
        base_branch: input.baseBranch,
        title: input.title,
        body: input.body,
        head_commit: input.headCommit,
        labels: input.labels,
      };
      const ctx = {
        workspaceDir: test.dataDir,
        signal: new AbortController().signal,
        log: runtime.log,
        services: runtime.services,
        onOutput: () => undefined,
        onModelCall: () => undefined,
      };
      const gitPr = runtime.tools.get('git_pr');
      const first = await gitPr.run(toolInput, ctx);
      expect((await gitPr.run(toolInput, ctx)).output).toEqual(first.output);
      const stored = await runtime.store.pullRequests.getByTask(task.id);
      expect(stored).toMatchObject({ forge: 'github', status: 'open', branch: input.branch });
      expect(stored?.url).toMatch(new RegExp(`/acme/${name}/pull/${stored?.number ?? 'none'}$`));
      expect(first.output).toMatchObject({ number: stored?.number, url: stored?.url });
      expect(fake.pullsOf('acme', name)).toHaveLength(1);
    } finally {
      await test.close();
    }
  });

  it('sends the token only in the Authorization header, never in a URL', async () => {
    const { input } = await setup();
    await forge.ensurePullRequest(input);
    expect(fake.requests.every((r) => r.authorization === `token ${TOKEN}`)).toBe(true);
    expect(fake.requests.some((r) => r.url.includes(TOKEN))).toBe(false);
    expect(forge.gitAuth()).toEqual({ username: 'x-access-token', password: TOKEN });
  });

  it('replaces the body, and comments once per key, leaving its own comments out of the activity', async () => {
    const { input } = await setup();
    const pr = await forge.ensurePullRequest(input);
    await forge.updateBody(pr, '| check | result |\n| tests | 3 passed |');
    expect(fake.pull(pr.number ?? 0).body).toContain('3 passed');
    await forge.comment(pr, 'round-1', 'fixed the review');
    await forge.comment(pr, 'round-1', 'fixed the review');
    await forge.comment(pr, 'round-2 --> <b>', 'second round');
    const comments = fake.pull(pr.number ?? 0).issueComments;
    expect(comments).toHaveLength(2);
    expect(comments[0]?.body).toContain('<!-- autodev:round-1 -->');
    // A key cannot end the hidden HTML comment early.
    expect(comments[1]?.body).not.toContain('round-2 -->');
    await fake.commentAsHuman(pr.number ?? 0, 'alice', 'looks fine');
    const activity = await forge.readActivity(pr);
    expect(activity.items.map((i) => [i.kind, i.by, i.body])).toEqual([['comment', 'alice', 'looks fine']]);
  });

  it('spaces writes that notify people (pull request, comments) by notificationSpacingMs', async () => {
    const spacingMs = 400;
    const spaced = createGithubForge(await githubConfig({ apiUrl: fake.apiUrl, token: TOKEN }), {
      timing: { ...FAST, notificationSpacingMs: spacingMs },
    });
    const { input } = await setup();
    const from = fake.requests.length;
    const started = Date.now();
    const pr = await spaced.ensurePullRequest(input);
    await spaced.comment(pr, 'one', 'first');
    await spaced.comment(pr, 'two', 'second');
    const notifying = fake.requests
      .slice(from)
      .filter((r) => r.operationId === 'pulls/create' || r.operationId === 'issues/create-comment');
    expect(notifying.map((r) => r.operationId)).toEqual([
      'pulls/create',
      'issues/create-comment',
      'issues/create-comment',
    ]);
    // The limiter starts each after the one before by at least the spacing, so the last cannot
    // arrive sooner than two spacings after the first call began (a busy machine only adds to it).
    expect((notifying[2]?.at ?? 0) - started).toBeGreaterThanOrEqual(2 * spacingMs);
  });

  it('reads approvals, requested changes and line comments back, oldest first, with stable ids', async () => {
    const { input, head } = await setup();
    const pr = await forge.ensurePullRequest(input);
    const number = pr.number ?? 0;
    await fake.requestChanges(number, 'bob', 'please rename', [
      { path: 'b.txt', line: 1, body: 'rename this' },
    ]);
    await fake.approve(number, 'carol', 'ship it');
    const activity = await forge.readActivity(pr);
    expect(activity.state).toBe('open');
    expect(activity.headCommit).toBe(head);
    expect(activity.items.map((i) => ({ kind: i.kind, by: i.by, path: i.path, line: i.line }))).toEqual([
      { kind: 'changes_requested', by: 'bob', path: undefined, line: undefined },
      { kind: 'comment', by: 'bob', path: 'b.txt', line: 1 },
      { kind: 'approval', by: 'carol', path: undefined, line: undefined },
    ]);
    expect(activity.items[0]?.id).toMatch(/^review-\d+$/);
    expect(activity.items[1]?.id).toMatch(/^review-comment-\d+$/);
    expect(activity.items[0]?.commit).toBe(head);
    const again = await forge.readActivity(pr);
    expect(again.items.map((i) => i.id)).toEqual(activity.items.map((i) => i.id));
  });

  it("reads the pull request's author, and each account's write permission from the collaborator permission API", async () => {
    const { input, name } = await setup();
    const pr = await forge.ensurePullRequest(input);
    expect((await forge.readActivity(pr)).author).toBe('autodev-bot');
    fake.setRole('acme', name, 'wanda', 'write');
    fake.setRole('acme', name, 'mo', 'maintain');
    fake.setRole('acme', name, 'rita', 'read');
    fake.setRole('acme', name, 'tri', 'triage');
    const permission = (login: string) => forge.reviewerPermission(input.repo, login);
    expect(await permission('wanda')).toEqual({ canWrite: true, level: 'write' });
    expect(await permission('mo')).toEqual({ canWrite: true, level: 'maintain' });
    expect(await permission('autodev-bot')).toEqual({ canWrite: true, level: 'admin' });
    expect(await permission('rita')).toEqual({ canWrite: false, level: 'read' });
    expect(await permission('tri')).toEqual({ canWrite: false, level: 'triage' });
    expect(await permission('stranger')).toEqual({ canWrite: false, level: 'none' });
    fake.failNext({
      operationId: 'repos/get-collaborator-permission-level',
      status: 404,
      message: 'Not Found',
    });
    await expect(permission('ghost')).rejects.toMatchObject({
      code: 'FORGE_NOT_FOUND',
      message: expect.stringMatching(/read collaborator permission on acme\/app\d+ failed/),
    });
  });

  it.each(['merge', 'squash', 'rebase'] as const)(
    'merges with merge_method = %s: the base branch moves, a second merge answers the same commit',
    async (method) => {
      const methodForge = createGithubForge(
        await githubConfig({ apiUrl: fake.apiUrl, token: TOKEN, mergeMethod: method }),
        { timing: FAST },
      );
      const { input, name } = await setup();
      const pr = await methodForge.ensurePullRequest(input);
      const result = await methodForge.merge({ pullRequest: pr, workspaceDir: '/nonexistent' });
      const base = await fake.branchSha('acme', name, 'main');
      expect(result).toEqual({ merged: true, mergeCommit: base });
      const parents = await git(
        fake.pull(pr.number ?? 0).repo.dir,
        'rev-list',
        '--parents',
        '-n1',
        base ?? '',
      );
      expect(parents.split(' ')).toHaveLength(method === 'merge' ? 3 : 2);
      expect(await methodForge.merge({ pullRequest: pr, workspaceDir: '/nonexistent' })).toEqual(result);
      expect((await methodForge.readActivity(pr)).state).toBe('merged');
      const merges = fake.requests.filter((r) => r.operationId === 'pulls/merge');
      expect(merges.length).toBeGreaterThan(0);
    },
  );

  it('refuses to merge a head that moved since autodev tested it (409), and a conflict (405)', async () => {
    const { input, repoUrl, branch, name } = await setup({ 'a.txt': 'a\n' });
    const pr = await forge.ensurePullRequest(input);
    await pushBranch({
      repoUrl,
      auth: forge.gitAuth(),
      branch,
      from: branch,
      change: (dir) => writeFile(join(dir, 'c.txt'), 'pushed by someone else\n'),
    });
    const moved = await forge.merge({ pullRequest: pr, workspaceDir: '/nonexistent' });
    expect(moved).toMatchObject({ merged: false });
    expect(moved.merged ? '' : moved.reason).toMatch(/Head branch was modified/);

    const conflicting = await setup({ 'a.txt': 'a\n' });
    await pushBranch({
      repoUrl: conflicting.repoUrl,
      auth: forge.gitAuth(),
      branch: 'main',
      change: (dir) => writeFile(join(dir, 'b.txt'), 'main wrote this\n'),
    });
    const pr2 = await forge.ensurePullRequest(conflicting.input);
    const conflict = await forge.merge({ pullRequest: pr2, workspaceDir: '/nonexistent' });
    expect(conflict.merged ? '' : conflict.reason).toMatch(/405 Pull Request is not mergeable/);
    expect(await fake.branchSha('acme', name, 'main')).toBeDefined();
  });

  it('closes (twice is fine), and notices a human merge with its merge commit', async () => {
    const closing = await setup();
    const pr = await forge.ensurePullRequest(closing.input);
    await forge.close(pr);
    await forge.close(pr);
    expect((await forge.readActivity(pr)).state).toBe('closed');
    expect(await forge.merge({ pullRequest: pr, workspaceDir: '/x' })).toMatchObject({ merged: false });

    const human = await setup();
    const pr2 = await forge.ensurePullRequest(human.input);
    const sha = await fake.mergeAsHuman(pr2.number ?? 0, 'squash');
    expect(await forge.readActivity(pr2)).toMatchObject({ state: 'merged', mergeCommit: sha });
    expect(await forge.merge({ pullRequest: pr2, workspaceDir: '/x' })).toEqual({
      merged: true,
      mergeCommit: sha,
    });
  });

  it('opens and merges a revert pull request that restores the base branch', async () => {
    const { input, repoUrl, name } = await setup({ 'a.txt': 'a\n' });
    const pr = await forge.ensurePullRequest(input);
    const merged = await forge.merge({ pullRequest: pr, workspaceDir: '/x' });
    if (!merged.merged) throw new Error(merged.reason);
    const revertBranch = `${input.branch}-revert`;
    const revertHead = await pushBranch({
      repoUrl,
      auth: forge.gitAuth(),
      branch: revertBranch,
      change: (dir) => git(dir, 'revert', '--no-commit', '-m', '1', merged.mergeCommit).then(() => undefined),
      message: `Revert "${input.title}"`,
    });
    const revert = await forge.ensurePullRequest({
      ...input,
      taskId: `${input.taskId}-revert`,
      branch: revertBranch,
      title: `Revert "${input.title}"`,
      headCommit: revertHead,
    });
    expect(revert.number).not.toBe(pr.number);
    expect(await forge.merge({ pullRequest: revert, workspaceDir: '/x' })).toMatchObject({ merged: true });
    const dir = fake.pull(revert.number ?? 0).repo.dir;
    expect(await git(dir, 'ls-tree', '--name-only', 'main')).toBe('a.txt');
    expect(await fake.branchSha('acme', name, 'main')).toBe(fake.pull(revert.number ?? 0).mergeCommit);
  });

  /** A pull request on a fresh repo, opened by a forge that records each rate-limit wait GitHub asks for. */
  const openWithRateLimitWaits = async () => {
    const { input } = await setup();
    const waits: number[] = [];
    const limited = createGithubForge(await githubConfig({ apiUrl: fake.apiUrl, token: TOKEN }), {
      timing: FAST,
      onRateLimitWait: (info) => waits.push(info.retryAfterSecs),
    });
    return { limited, waits, pr: await limited.ensurePullRequest(input) };
  };

  it('waits out a secondary rate limit for its Retry-After, then succeeds', async () => {
    const { limited, waits, pr } = await openWithRateLimitWaits();
    fake.failNext({
      operationId: 'pulls/get',
      status: 403,
      headers: { 'retry-after': '3' },
      message: 'You have exceeded a secondary rate limit. Please wait a few minutes before you try again.',
    });
    const before = fake.requests.length;
    await limited.readActivity(pr);
    expect(waits).toEqual([3]);
    const gets = fake.requests.slice(before).filter((r) => r.operationId === 'pulls/get');
    expect(gets).toHaveLength(2);
    // 3 "seconds" at 20 ms each: the retry did not come before the wait GitHub asked for.
    expect((gets[1]?.at ?? 0) - (gets[0]?.at ?? 0)).toBeGreaterThanOrEqual(55);
  });

  it('waits for x-ratelimit-reset on a primary limit, and gives up as FORGE_RATE_LIMITED past its retries', async () => {
    const { limited, waits, pr } = await openWithRateLimitWaits();
    const reset = String(Math.floor(Date.now() / 1000) + 2);
    const primary = {
      operationId: 'pulls/update',
      status: 403,
      headers: { 'x-ratelimit-remaining': '0', 'x-ratelimit-reset': reset },
      message: 'API rate limit exceeded for user ID 1.',
    };
    fake.failNext(primary);
    await limited.updateBody(pr, 'new body');
    expect(waits).toHaveLength(1);
    expect(waits[0]).toBeGreaterThanOrEqual(1);
    fake.failNext({ ...primary, times: 5 });
    const error = await limited.updateBody(pr, 'newer body').catch((e: unknown) => e);
    expect(error).toBeInstanceOf(AutodevError);
    expect(error).toMatchObject({ code: 'FORGE_RATE_LIMITED', retryable: true });
    expect((error as AutodevError).message).toMatch(/update pull request body on acme\/app\d+/);
  });

  it('maps 401, 404, 422 and 5xx to FORGE_* errors naming the operation and repo, never the token', async () => {
    const { input } = await setup();
    const errors: AutodevError[] = [];
    const capture = (p: Promise<unknown>) =>
      p.then(
        () => {
          throw new Error('expected a failure');
        },
        (e: unknown) => {
          if (!(e instanceof AutodevError)) throw e;
          errors.push(e);
          return e;
        },
      );
    const wrongToken = createGithubForge(
      await githubConfig({ apiUrl: fake.apiUrl, token: `${TOKEN}-wrong` }),
      { timing: FAST },
    );
    expect(await capture(wrongToken.ensurePullRequest(input))).toMatchObject({ code: 'FORGE_AUTH' });
    expect(errors[0]?.message).toMatch(/find open pull request on acme\/app\d+ failed: 401 Bad credentials/);

    const missing = { ...input, repo: fake.repoUrl('acme', 'no-such-repo') };
    expect(await capture(forge.ensurePullRequest(missing))).toMatchObject({ code: 'FORGE_NOT_FOUND' });

    const noBranch = { ...input, branch: 'never-pushed' };
    expect(await capture(forge.ensurePullRequest(noBranch))).toMatchObject({ code: 'FORGE_REJECTED' });

    const pr = await forge.ensurePullRequest(input);
    fake.failNext({ operationId: 'pulls/get', status: 502, times: 2 });
    expect((await forge.readActivity(pr)).state).toBe('open');
    fake.failNext({ operationId: 'pulls/get', status: 503, times: 10, message: `leaked ${TOKEN}` });
    expect(await capture(forge.readActivity(pr))).toMatchObject({ code: 'FORGE_FAILED', retryable: true });

    fake.failNext({ operationId: 'issues/add-labels', status: 422, message: `bad label ${TOKEN}` });
    expect(await capture(forge.ensurePullRequest(input))).toMatchObject({ code: 'FORGE_REJECTED' });

    for (const error of errors) {
      const everything = `${error.message} ${JSON.stringify(error)} ${String(error.cause)} ${error.stack ?? ''}`;
      expect(everything).not.toContain(TOKEN);
      expect(error.message).toContain(`acme/`);
    }
    expect(errors.map((e) => e.message).join('\n')).toContain('[REDACTED]');
  });

  it('reports an unreachable API as FORGE_FAILED', async () => {
    const down = createGithubForge(await githubConfig({ apiUrl: 'http://127.0.0.1:9', token: TOKEN }), {
      timing: { ...FAST, serverErrorRetries: 0 },
    });
    const { input } = await setup();
    await expect(down.ensurePullRequest(input)).rejects.toMatchObject({ code: 'FORGE_FAILED' });
  });

  it('refuses a redirect to another origin without sending anything there, follows one within the API', async () => {
    // Another loopback port plays the other origin: it would answer every request as a merged pull.
    const elsewhere: string[] = [];
    const other = createServer((req, res) => {
      elsewhere.push(`${req.method} ${req.url} auth=${req.headers.authorization ?? ''}`);
      res.writeHead(200, { 'content-type': 'application/json' }).end('{"state":"closed","merged":true}');
    });
    await new Promise<void>((resolve) => other.listen(0, '127.0.0.1', resolve));
    const otherUrl = `http://127.0.0.1:${(other.address() as AddressInfo).port}`;
    // A fake of its own: faults other tests queued and left over must not answer this one's requests.
    const own = await startFakeGithub({ token: TOKEN, contract });
    try {
      const client = createGithubForge(await githubConfig({ apiUrl: own.apiUrl, token: TOKEN }), {
        timing: FAST,
      });
      const repoUrl = await own.createRepo('acme', 'moved', { 'a.txt': 'a\n' });
      const branch = 'autodev/task-redirect';
      const head = await pushBranch({
        repoUrl,
        auth: client.gitAuth(),
        branch,
        change: (dir) => writeFile(join(dir, 'b.txt'), 'b\n'),
      });
      const pr = await client.ensurePullRequest({
        taskId: 'task-redirect',
        repo: repoUrl,
        branch,
        baseBranch: 'main',
        title: 'Redirected',
        body: 'the plan',
        headCommit: head,
        labels: [],
      });
      const before = own.requests.length;
      own.failNext({ operationId: 'pulls/get', status: 302, headers: { location: `${otherUrl}/pulls/1` } });
      const error = await client.readActivity(pr).catch((e: unknown) => e);
      expect(error).toMatchObject({ code: 'FORGE_FAILED', retryable: false });
      expect((error as Error).message).toContain(`redirect to another origin (${otherUrl})`);
      expect(elsewhere).toEqual([]);
      // Refused once, not retried as a server error.
      expect(own.requests.slice(before).filter((r) => r.operationId === 'pulls/get')).toHaveLength(1);

      // A redirect within the API's own origin (a renamed repo) is still followed.
      const pullGet = own.requests.find((r) => r.operationId === 'pulls/get');
      const path = new URL(pullGet?.url ?? '', own.apiUrl).pathname;
      own.failNext({ operationId: 'pulls/get', status: 307, headers: { location: `${own.apiUrl}${path}` } });
      expect((await client.readActivity(pr)).state).toBe('open');
      expect(elsewhere).toEqual([]);
      expect(own.violations).toEqual([]);
    } finally {
      await own.close();
      await new Promise<void>((resolve) => other.close(() => resolve()));
    }
  });

  it('refuses a plain-http api_url off loopback with a token, naming the key', async () => {
    const config = await githubConfig({ apiUrl: 'http://ghe.example.com/api/v3', token: TOKEN });
    expect(() => createGithubForge(config)).toThrow(/\[autodev\.git\] api_url http:\/\/ghe\.example\.com/);
  });

  it('locates repos on github.com by default, on the api_url host for GitHub Enterprise', async () => {
    const dotcom = createGithubForge(await githubConfig({ apiUrl: 'https://api.github.com', token: TOKEN }));
    expect(dotcom.locate('https://github.com/acme/app.git')).toMatchObject({ owner: 'acme', name: 'app' });
    expect(() => dotcom.locate('https://gitlab.com/acme/app')).toThrow(/not on the github forge/);
    const ghe = createGithubForge(
      await githubConfig({ apiUrl: 'https://ghe.corp.test/api/v3', token: TOKEN }),
    );
    expect(ghe.locate('https://ghe.corp.test/acme/app')).toMatchObject({ path: 'acme/app' });
    try {
      ghe.locate('https://github.com/acme/app');
      throw new Error('expected REPO_NOT_ON_FORGE');
    } catch (error) {
      expect(error).toMatchObject({ code: 'REPO_NOT_ON_FORGE' });
    }
  });

  it('a pull request with no number is refused clearly', async () => {
    const opened = await forge.ensurePullRequest((await setup()).input);
    const unnumbered: PullRequest = { ...opened, number: null };
    await expect(forge.readActivity(unnumbered)).rejects.toMatchObject({ code: 'PR_NOT_FOUND' });
  });
});
