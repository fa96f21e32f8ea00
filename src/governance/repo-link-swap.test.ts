import { mkdtemp, rm, symlink, unlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createFixtureRepo, git, type FixtureRepo } from '../../test/fixtures/repo.js';
import { startTestRuntime, type TestRuntime } from '../../test/helpers/runtime.js';
import { isAutodevError } from '../errors.js';
import type { ToolContext } from '../tools/types.js';

const AUTHOR = { name: 'autodev', email: 'autodev@example.test' };

async function codeOf(promise: Promise<unknown>): Promise<string> {
  const error: unknown = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  if (!isAutodevError(error)) throw new Error(`expected an AutodevError, got ${String(error)}`);
  return error.code;
}

// The allowlist passed at submission, when `allowed/link.git` pointed at a repo inside; then the link
// is swapped to a repo outside. Every later fetch and push must check again, by the real path.
describe('a local repo link swapped after submission', () => {
  let t: TestRuntime;
  let root: string;
  let link: string;
  let outside: FixtureRepo;
  let outsideMain: string | undefined;
  let ctx: ToolContext;
  let taskId: string;

  const swapLinkOutside = async () => {
    await unlink(link);
    await symlink(outside.origin, link);
  };
  const pointLinkInside = async () => {
    await unlink(link);
    await symlink(join(root, 'allowed', 'real.git'), link);
  };

  beforeAll(async () => {
    outside = await createFixtureRepo({ files: { 'secret.txt': 'outside\n' } });
    outsideMain = await outside.branchCommit('main');
    root = await mkdtemp(join(tmpdir(), 'autodev-link-swap-'));
    await git(root, ['clone', '-q', '--bare', outside.origin, join(root, 'allowed', 'real.git')]);
    link = join(root, 'allowed', 'link.git');
    await symlink(join(root, 'allowed', 'real.git'), link);
    t = await startTestRuntime({ configToml: `[autodev]\nallowlist_repos = ["${root}/allowed/**"]\n` });
    ctx = {
      workspaceDir: '',
      signal: new AbortController().signal,
      log: t.runtime.log,
      services: t.runtime.services,
      onOutput: () => undefined,
      onModelCall: () => undefined,
    };
  });
  afterAll(async () => {
    await t?.close();
    await outside?.cleanup();
    if (root) await rm(root, { recursive: true, force: true });
  });

  it('is admitted while it points inside', async () => {
    const task = await t.runtime.tasks.submit({
      title: 'swap',
      description: 'link swapped after submission',
      repo: link,
      base_branch: 'main',
      risk_tier: 'low',
      constraints: [],
      acceptance: [],
    });
    expect(task.status).toBe('queued');
    taskId = task.id;
  });

  it('the mirror fetch refuses it with REPO_NOT_ALLOWED once it points outside', async () => {
    await swapLinkOutside();
    try {
      const prepare = t.runtime.services.workspaces.prepare({
        taskId: 'swapfetch',
        repo: link,
        baseBranch: 'main',
        branch: 'autodev/swapfetch',
      });
      expect(await codeOf(prepare)).toBe('REPO_NOT_ALLOWED');
    } finally {
      await pointLinkInside();
    }
  });

  it('git_push and the local merge refuse it once it points outside, and push nothing there', async () => {
    const ws = await t.runtime.services.workspaces.prepare({
      taskId,
      repo: link,
      baseBranch: 'main',
      branch: 'autodev/swappush',
    });
    await writeFile(join(ws.dir, 'change.txt'), 'change\n');
    const { commit } = await t.runtime.services.git.commitAll(ws.dir, 'change', AUTHOR);
    const pullRequest = await t.runtime.services.forge.ensurePullRequest({
      taskId,
      repo: link,
      branch: 'autodev/swappush',
      baseBranch: 'main',
      title: 'change',
      body: '',
      headCommit: commit,
    });
    await swapLinkOutside();
    try {
      const push = t.runtime.tools
        .get('git_push')
        .run({ repo: link, branch: 'autodev/swappush' }, { ...ctx, workspaceDir: ws.dir });
      expect(await codeOf(push)).toBe('REPO_NOT_ALLOWED');
      const merge = t.runtime.services.forge.merge({ pullRequest, workspaceDir: ws.dir });
      expect(await codeOf(merge)).toBe('REPO_NOT_ALLOWED');
      expect(await outside.branchCommit('autodev/swappush')).toBeUndefined();
      expect(await outside.branchCommit('main')).toBe(outsideMain);
    } finally {
      await pointLinkInside();
    }
    // Pointing inside again, the same push goes through: the refusal was the link, not the setup.
    const pushed = await t.runtime.tools
      .get('git_push')
      .run({ repo: link, branch: 'autodev/swappush' }, { ...ctx, workspaceDir: ws.dir });
    expect(pushed.summary).toContain('pushed autodev/swappush');
  });
});
