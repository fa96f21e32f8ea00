import { execFile } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';

const run = promisify(execFile);

/** Git with no user or system config, as a forge's server side runs it. */
const GIT_ENV = {
  PATH: process.env.PATH ?? '/usr/bin:/bin',
  GIT_CONFIG_NOSYSTEM: '1',
  GIT_CONFIG_GLOBAL: '/dev/null',
  GIT_AUTHOR_NAME: 'Fake Forge',
  GIT_AUTHOR_EMAIL: 'forge@example.test',
  GIT_COMMITTER_NAME: 'Fake Forge',
  GIT_COMMITTER_EMAIL: 'forge@example.test',
};

export async function git(
  cwd: string,
  args: string[],
  input?: string | Buffer,
  env: Record<string, string> = {},
): Promise<string> {
  const child = run('git', args, { cwd, env: { ...GIT_ENV, ...env }, maxBuffer: 64 * 1024 * 1024 });
  if (input !== undefined) {
    child.child.stdin?.end(input);
  }
  const { stdout } = await child;
  return stdout.trim();
}

/**
 * A bare repo at `dir` whose `main` holds one commit with the given files (paths may name folders,
 * contents may be bytes: a vendored tarball). The tree is built in a throwaway index.
 */
export async function initBareRepo(dir: string, files: Record<string, string | Buffer>): Promise<string> {
  await run('git', ['init', '--bare', '-b', 'main', dir], { env: GIT_ENV });
  const index = { GIT_INDEX_FILE: join(dir, 'fixture-index') };
  for (const [name, content] of Object.entries(files)) {
    const blob = await git(dir, ['hash-object', '-w', '--stdin'], content);
    await git(dir, ['update-index', '--add', '--cacheinfo', `100644,${blob},${name}`], undefined, index);
  }
  const tree = await git(dir, ['write-tree'], undefined, index);
  await rm(index.GIT_INDEX_FILE, { force: true });
  const commit = await git(dir, ['commit-tree', tree, '-m', 'initial commit']);
  await git(dir, ['update-ref', 'refs/heads/main', commit]);
  return commit;
}

export async function branchSha(dir: string, branch: string): Promise<string | undefined> {
  try {
    return await git(dir, ['rev-parse', '--verify', '--quiet', `refs/heads/${branch}^{commit}`]);
  } catch {
    return undefined;
  }
}

export async function isAncestor(dir: string, ancestor: string, of: string): Promise<boolean> {
  try {
    await git(dir, ['merge-base', '--is-ancestor', ancestor, of]);
    return true;
  } catch {
    return false;
  }
}

export type MergeOutcome = { ok: true; sha: string } | { ok: false; reason: string };

/**
 * Merges `head` into `base` on the bare repo the way a forge does: a merge commit (always, no
 * fast-forward), one squashed commit, or the head's commits replayed onto the base. The base ref moves
 * only if it still points where it did (compare-and-swap), like a forge's own merge.
 */
export async function mergeBranches(
  dir: string,
  base: string,
  head: string,
  method: 'merge' | 'squash' | 'rebase',
  message: string,
): Promise<MergeOutcome> {
  const baseSha = await branchSha(dir, base);
  const headSha = await branchSha(dir, head);
  if (!baseSha || !headSha) return { ok: false, reason: 'branch missing' };
  let result: string;
  if (method === 'rebase') {
    const rebased = await rebaseOnto(dir, baseSha, headSha);
    if (!rebased) return { ok: false, reason: 'rebase conflict' };
    result = rebased;
  } else {
    let tree: string;
    try {
      tree = (await git(dir, ['merge-tree', '--write-tree', baseSha, headSha])).split('\n')[0] ?? '';
    } catch {
      return { ok: false, reason: 'merge conflict' };
    }
    const parents = method === 'merge' ? ['-p', baseSha, '-p', headSha] : ['-p', baseSha];
    result = await git(dir, ['commit-tree', tree, ...parents, '-m', message]);
  }
  await git(dir, ['update-ref', `refs/heads/${base}`, result, baseSha]);
  return { ok: true, sha: result };
}

async function rebaseOnto(dir: string, baseSha: string, headSha: string): Promise<string | undefined> {
  if (await isAncestor(dir, baseSha, headSha)) return headSha;
  const work = await mkdtemp(join(tmpdir(), 'fake-forge-rebase-'));
  try {
    await git(work, ['clone', '--quiet', '--no-checkout', dir, '.']);
    await git(work, ['checkout', '--quiet', '--detach', headSha]);
    try {
      await git(work, ['rebase', '--quiet', baseSha]);
    } catch {
      return undefined;
    }
    const sha = await git(work, ['rev-parse', 'HEAD']);
    await git(work, ['push', '--quiet', dir, `${sha}:refs/autodev-fake/rebased`]);
    return sha;
  } finally {
    await rm(work, { recursive: true, force: true });
  }
}

/** Rebases `branch` onto `onto` on the bare repo (a forge's "rebase" button); false on a conflict. */
export async function rebaseBranch(dir: string, branch: string, onto: string): Promise<boolean> {
  const branchHead = await branchSha(dir, branch);
  const ontoSha = await branchSha(dir, onto);
  if (!branchHead || !ontoSha) return false;
  const rebased = await rebaseOnto(dir, ontoSha, branchHead);
  if (!rebased) return false;
  await git(dir, ['update-ref', `refs/heads/${branch}`, rebased, branchHead]);
  return true;
}
