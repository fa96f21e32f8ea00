import { execFile } from 'node:child_process';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { promisify } from 'node:util';

const exec = promisify(execFile);

/** git with no user or system config, a fixed identity: what a forge's server side would do. */
const gitEnv = {
  PATH: process.env.PATH ?? '/usr/bin:/bin',
  HOME: tmpdir(),
  GIT_CONFIG_NOSYSTEM: '1',
  GIT_CONFIG_GLOBAL: '/dev/null',
  GIT_TERMINAL_PROMPT: '0',
  GIT_AUTHOR_NAME: 'Fake GitHub',
  GIT_AUTHOR_EMAIL: 'noreply@github.test',
  GIT_COMMITTER_NAME: 'Fake GitHub',
  GIT_COMMITTER_EMAIL: 'noreply@github.test',
};

export async function git(cwd: string, ...args: string[]): Promise<string> {
  const { stdout } = await exec('git', args, { cwd, env: gitEnv, maxBuffer: 16 * 1024 * 1024 });
  return stdout.trim();
}

/** A bare repo with one commit of `files` (paths may name folders, contents may be bytes) on `branch`. */
export async function createBareRepo(
  dir: string,
  branch: string,
  files: Record<string, string | Buffer>,
): Promise<void> {
  await mkdir(dirname(dir), { recursive: true });
  await git(dirname(dir), 'init', '-q', '--bare', '-b', branch, dir);
  const work = await mkdtemp(join(tmpdir(), 'fake-github-seed-'));
  try {
    await git(work, 'init', '-q', '-b', branch);
    for (const [path, content] of Object.entries(files)) {
      await mkdir(dirname(join(work, path)), { recursive: true });
      await writeFile(join(work, path), content);
    }
    await git(work, 'add', '-A');
    await git(work, 'commit', '-qm', 'initial commit');
    await git(work, 'push', '-q', dir, `HEAD:refs/heads/${branch}`);
  } finally {
    await rm(work, { recursive: true, force: true });
  }
}

export async function revParse(repoDir: string, ref: string): Promise<string | undefined> {
  try {
    return await git(repoDir, 'rev-parse', '--verify', '--quiet', `${ref}^{commit}`);
  } catch {
    return undefined;
  }
}

export type MergeOutcome = { merged: true; sha: string } | { merged: false; reason: string };

/**
 * Merges `head` into `base` inside the bare repo as GitHub does (merge commit, squash, or rebase of
 * each commit), moving the base branch; a conflict leaves everything as it was.
 */
export async function mergeInBareRepo(
  repoDir: string,
  base: string,
  head: string,
  method: 'merge' | 'squash' | 'rebase',
  message: string,
): Promise<MergeOutcome> {
  const baseSha = await revParse(repoDir, `refs/heads/${base}`);
  if (!baseSha) return { merged: false, reason: `base branch ${base} does not exist` };
  const treeOf = async (args: string[]) => {
    try {
      return (await git(repoDir, 'merge-tree', '--write-tree', ...args)).split('\n')[0];
    } catch {
      return undefined; // merge-tree exits 1 on a conflict
    }
  };
  let result: string;
  if (method === 'rebase') {
    // git 2.39's merge-tree has no --merge-base: the commits are replayed by cherry-pick in a
    // throwaway worktree of the bare repo.
    const work = await mkdtemp(join(tmpdir(), 'fake-github-rebase-'));
    try {
      await git(repoDir, 'worktree', 'add', '-q', '--detach', work, baseSha);
      try {
        await git(work, 'cherry-pick', '--allow-empty', `${baseSha}..${head}`);
      } catch {
        return { merged: false, reason: 'conflict' };
      }
      result = await git(work, 'rev-parse', 'HEAD');
    } finally {
      await git(repoDir, 'worktree', 'remove', '--force', work).catch(() => undefined);
      await rm(work, { recursive: true, force: true });
    }
  } else {
    const tree = await treeOf([baseSha, head]);
    if (!tree) return { merged: false, reason: 'conflict' };
    const parents = method === 'merge' ? ['-p', baseSha, '-p', head] : ['-p', baseSha];
    result = await git(repoDir, 'commit-tree', tree, ...parents, '-m', message);
  }
  await git(repoDir, 'update-ref', `refs/heads/${base}`, result, baseSha);
  return { merged: true, sha: result };
}
