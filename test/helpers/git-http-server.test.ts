import { execFile } from 'node:child_process';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startGitHttpServer, type GitHttpServer } from './git-http-server.js';

const exec = promisify(execFile);
const gitEnv = {
  PATH: process.env.PATH ?? '/usr/bin:/bin',
  HOME: tmpdir(),
  GIT_CONFIG_NOSYSTEM: '1',
  GIT_CONFIG_GLOBAL: '/dev/null',
  GIT_TERMINAL_PROMPT: '0',
  GIT_AUTHOR_NAME: 'T',
  GIT_AUTHOR_EMAIL: 't@example.test',
  GIT_COMMITTER_NAME: 'T',
  GIT_COMMITTER_EMAIL: 't@example.test',
};
const git = (cwd: string, ...args: string[]) => exec('git', args, { cwd, env: gitEnv });

describe('git over smart HTTP on loopback (test helper)', () => {
  let root: string;
  let server: GitHttpServer;
  const header = `Basic ${Buffer.from('x-access-token:tok').toString('base64')}`;

  beforeAll(async () => {
    root = await mkdtemp(join(tmpdir(), 'autodev-git-http-'));
    await mkdir(join(root, 'served', 'acme'), { recursive: true });
    await git(root, 'init', '-q', '--bare', '-b', 'main', join(root, 'served', 'acme', 'app.git'));
    server = await startGitHttpServer({ root: join(root, 'served'), requireAuthorization: header });
  });
  afterAll(async () => {
    await server.close();
    await rm(root, { recursive: true, force: true });
  });

  it('accepts a push and a clone with the header, and refuses them without it', async () => {
    const work = join(root, 'work');
    await git(root, 'init', '-q', '-b', 'main', work);
    await writeFile(join(work, 'a.txt'), 'a\n');
    await git(work, 'add', '.');
    await git(work, 'commit', '-qm', 'a');
    const url = `${server.url}/acme/app.git`;
    await expect(git(work, 'push', url, 'main')).rejects.toThrow(/401|Authentication|could not read/i);
    await git(work, '-c', `http.extraHeader=Authorization: ${header}`, 'push', '-q', url, 'main');
    const { stdout } = await git(
      root,
      '-c',
      `http.extraHeader=Authorization: ${header}`,
      'ls-remote',
      url,
      'refs/heads/main',
    );
    const { stdout: local } = await git(work, 'rev-parse', 'HEAD');
    expect(stdout.split('\t')[0]).toBe(local.trim());
    expect(server.authorizations).toContain(header);
  });
});
