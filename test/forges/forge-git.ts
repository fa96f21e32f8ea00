import { execFile } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import type { GitHttpAuth } from '../../src/workspace/token-transport.js';

const run = promisify(execFile);
const ENV = {
  PATH: process.env.PATH ?? '/usr/bin:/bin',
  GIT_CONFIG_NOSYSTEM: '1',
  GIT_CONFIG_GLOBAL: '/dev/null',
  GIT_AUTHOR_NAME: 'AutoDev Bot',
  GIT_AUTHOR_EMAIL: 'autodev@localhost',
  GIT_COMMITTER_NAME: 'AutoDev Bot',
  GIT_COMMITTER_EMAIL: 'autodev@localhost',
  GIT_TERMINAL_PROMPT: '0',
};

/**
 * Pushes a branch with one commit writing `files` on top of `from` (a branch of the remote), over
 * real git smart HTTP with the forge's gitAuth as a header (never in the URL), as autodev's push does.
 * Answers the new head commit.
 */
export async function pushBranch(
  repoUrl: string,
  auth: GitHttpAuth | undefined,
  branch: string,
  files: Record<string, string>,
  from = 'main',
): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), 'forge-push-'));
  const header = auth
    ? [
        '-c',
        `http.extraHeader=Authorization: Basic ${Buffer.from(`${auth.username}:${auth.password}`).toString('base64')}`,
      ]
    : [];
  const git = async (...args: string[]) =>
    (await run('git', [...header, ...args], { cwd: dir, env: ENV })).stdout.trim();
  try {
    await git('clone', '--quiet', '--branch', from, repoUrl, '.');
    await git('checkout', '--quiet', '-B', branch);
    for (const [name, content] of Object.entries(files)) await writeFile(join(dir, name), content);
    await git('add', '-A');
    await git('commit', '--quiet', '-m', `change on ${branch}`);
    await git('push', '--quiet', '--force', 'origin', `HEAD:refs/heads/${branch}`);
    return await git('rev-parse', 'HEAD');
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}
