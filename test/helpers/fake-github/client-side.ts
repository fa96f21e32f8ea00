import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadConfig } from '../../../src/config/load.js';
import type { AutodevConfig } from '../../../src/config/schema.js';
import type { GitHttpAuth } from '../../../src/workspace/token-transport.js';
import { git } from './bare-git.js';

/** autodev's config as a user writes it (TOML, token in the environment), pointed at a fake GitHub. */
export async function githubConfig(options: {
  apiUrl: string;
  token?: string;
  mergeMethod?: 'merge' | 'squash' | 'rebase';
}): Promise<AutodevConfig> {
  const dir = await mkdtemp(join(tmpdir(), 'autodev-github-config-'));
  try {
    const file = join(dir, 'config.toml');
    await writeFile(
      file,
      [
        '[autodev]',
        'provider = "github"',
        '[autodev.git]',
        `api_url = "${options.apiUrl}"`,
        `merge_method = "${options.mergeMethod ?? 'merge'}"`,
        '',
      ].join('\n'),
    );
    return loadConfig({ file, env: options.token ? { GITHUB_TOKEN: options.token } : {}, cwd: dir });
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

/**
 * Clones the repo, runs `change` in the clone, commits and pushes `branch` with the forge's git
 * credentials (as an http extra header, never in the URL); answers the pushed commit.
 */
export async function pushBranch(options: {
  repoUrl: string;
  auth: GitHttpAuth | undefined;
  branch: string;
  from?: string;
  change: (dir: string) => Promise<void>;
  message?: string;
}): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), 'autodev-github-push-'));
  const header = options.auth ? ['-c', `http.extraHeader=Authorization: Basic ${basic(options.auth)}`] : [];
  try {
    await git(dir, ...header, 'clone', '-q', '--branch', options.from ?? 'main', options.repoUrl, '.');
    await git(dir, 'checkout', '-q', '-B', options.branch);
    await options.change(dir);
    await git(dir, 'add', '-A');
    await git(dir, 'commit', '-q', '--allow-empty', '-m', options.message ?? `change on ${options.branch}`);
    await git(dir, ...header, 'push', '-q', '--force', 'origin', `HEAD:refs/heads/${options.branch}`);
    return await git(dir, 'rev-parse', 'HEAD');
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

function basic(auth: GitHttpAuth): string {
  return Buffer.from(`${auth.username}:${auth.password}`).toString('base64');
}
