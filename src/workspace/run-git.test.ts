import { existsSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { failure } from '../../test/helpers/failure.js';
import { createGitRunner } from './run-git.js';

describe('createGitRunner', () => {
  let root: string;
  let repo: string;
  const git = createGitRunner({ env: process.env });

  beforeAll(async () => {
    root = await mkdtemp(join(tmpdir(), 'autodev-run-git-'));
    repo = join(root, 'repo');
    await git(['init', '--quiet', repo]);
  });
  afterAll(() => rm(root, { recursive: true, force: true }));

  it('runs git with argv and returns its output', async () => {
    const res = await git(['rev-parse', '--show-toplevel'], { cwd: repo });
    expect(res.exitCode).toBe(0);
    expect(res.stdout.trim()).toBe(repo);
  });

  it('feeds input on stdin', async () => {
    const res = await git(['hash-object', '--stdin'], { cwd: repo, input: 'hello\n' });
    expect(res.stdout.trim()).toBe('ce013625030ba8dba906f756967f9e9ca394464a');
  });

  it('throws GIT_FAILED with git stderr, or the caller-chosen code', async () => {
    const error = await failure(git(['rev-parse', '--verify', 'no-such-ref'], { cwd: repo }));
    expect(error.code).toBe('GIT_FAILED');
    expect(error.message).toMatch(/rev-parse failed: fatal: Needed a single revision/);
    const coded = await failure(git(['ls-remote', join(root, 'missing')], { errorCode: 'REPO_UNREACHABLE' }));
    expect(coded.code).toBe('REPO_UNREACHABLE');
  });

  it('accepts exit codes the caller declares as answers', async () => {
    const res = await git(['diff', '--quiet', '--no-index', '/dev/null', join(repo, '.git', 'HEAD')], {
      okExitCodes: [1],
    });
    expect(res.exitCode).toBe(1);
  });

  it('redacts URL credentials from the error message and details', async () => {
    const remote = await failure(git(['ls-remote', 'https://user:hunter2@127.0.0.1:1/owner/name']));
    expect(JSON.stringify(remote.details)).not.toContain('hunter2');
    expect(JSON.stringify(remote.details)).toContain('https://***@127.0.0.1:1/owner/name');
    // checkout echoes its argument in stderr verbatim
    const echoed = await failure(git(['checkout', 'https://user:hunter2@example.test/o/n'], { cwd: repo }));
    expect(echoed.message).toContain('https://***@example.test/o/n');
    expect(echoed.message).not.toContain('hunter2');
  });

  it('never lets the ext:: transport run a command', async () => {
    const marker = join(root, 'pwned');
    const error = await failure(git(['ls-remote', `ext::sh -c touch% ${marker}`], { cwd: repo }));
    expect(error.code).toBe('GIT_FAILED');
    expect(existsSync(marker)).toBe(false);
  });

  it('ignores GIT_DIR and GIT_CONFIG_* inherited from the caller environment', async () => {
    const other = join(root, 'other');
    await git(['init', '--quiet', other]);
    const leaky = createGitRunner({
      env: {
        ...process.env,
        GIT_DIR: join(other, '.git'),
        GIT_CONFIG_COUNT: '1',
        GIT_CONFIG_KEY_0: 'x.y',
        GIT_CONFIG_VALUE_0: 'z',
      },
    });
    const res = await leaky(['rev-parse', '--absolute-git-dir'], { cwd: repo });
    expect(res.stdout.trim()).toBe(join(repo, '.git'));
    expect((await leaky(['config', '--get', 'x.y'], { cwd: repo, okExitCodes: [1] })).exitCode).toBe(1);
  });

  it('passes secret config through the environment and redacts its value from errors', async () => {
    const res = await git(['config', '--get', 'autodev.secret'], {
      cwd: repo,
      secretConfig: { 'autodev.secret': 's3cr3t-v4lue' },
    });
    expect(res.stdout.trim()).toBe('s3cr3t-v4lue');
    const error = await failure(
      git(['checkout', 's3cr3t-v4lue'], { cwd: repo, secretConfig: { 'autodev.secret': 's3cr3t-v4lue' } }),
    );
    expect(error.message).not.toContain('s3cr3t-v4lue');
    expect(JSON.stringify(error.details)).not.toContain('s3cr3t-v4lue');
  });

  it('stops git when the signal aborts', async () => {
    const controller = new AbortController();
    const started = Date.now();
    setTimeout(() => controller.abort(), 100);
    const error = await failure(
      git(['-c', 'alias.wait=!sleep 5', 'wait'], { cwd: repo, signal: controller.signal }),
    );
    expect(error.code).toBe('TASK_CANCELLED');
    expect(Date.now() - started).toBeLessThan(4000);
    const pre = await failure(git(['status'], { cwd: repo, signal: AbortSignal.abort() }));
    expect(pre.code).toBe('TASK_CANCELLED');
  });

  it('fails instead of buffering output past the cap', async () => {
    const small = createGitRunner({ env: process.env, maxOutputBytes: 10 });
    const error = await failure(small(['help', '-a'], { cwd: repo }));
    expect(error.message).toMatch(/exceeded 10 bytes/);
  });

  it('reports a working folder that does not exist as GIT_FAILED naming it, not as a missing git', async () => {
    const gone = join(root, 'moved-away');
    const error = await failure(git(['status'], { cwd: gone }));
    expect(error.code).toBe('GIT_FAILED');
    expect(error.message).toContain(`the folder ${gone} does not exist`);
  });

  it('reports a missing git binary as COMMAND_NOT_FOUND', async () => {
    const missing = createGitRunner({ env: process.env, gitPath: join(root, 'no-git-here') });
    expect((await failure(missing(['status']))).code).toBe('COMMAND_NOT_FOUND');
  });
});
