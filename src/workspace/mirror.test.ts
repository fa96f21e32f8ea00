import { cp, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createFixtureRepo, type FixtureRepo } from '../../test/fixtures/repo.js';
import { failure } from '../../test/helpers/failure.js';
import { createMirrorStore } from './mirror.js';
import { parseRepoRef } from './repo-ref.js';
import { createGitRunner } from './run-git.js';

const git = createGitRunner({ env: process.env });

describe('createMirrorStore: a new mirror’s config, written without `git config`', () => {
  let fixture: FixtureRepo;
  let root: string;

  beforeEach(async () => {
    fixture = await createFixtureRepo({ files: { 'README.md': '# demo\n' } });
    root = await mkdtemp(join(tmpdir(), 'autodev-mirror-'));
  });
  afterEach(async () => {
    await fixture.cleanup();
    await rm(root, { recursive: true, force: true });
  });

  it('quotes an origin whose path holds the config file’s special characters, and git reads it back exactly', async () => {
    // `"`, `\`, `;` and `#` end or escape an unquoted config value.
    const origin = join(root, 'we"ird\\ name;#x');
    await cp(fixture.origin, origin, { recursive: true });
    const ref = parseRepoRef(origin);
    const store = createMirrorStore({ git, root: join(root, 'mirrors') });
    const head = await store.syncThen(ref, async (mirrorDir) => {
      const url = (await git(['config', '--get', 'remote.origin.url'], { cwd: mirrorDir })).stdout.trim();
      const repo = (await git(['config', '--get', 'autodev.repo'], { cwd: mirrorDir })).stdout.trim();
      const fetchSpec = (
        await git(['config', '--get', 'remote.origin.fetch'], { cwd: mirrorDir })
      ).stdout.trim();
      expect(url).toBe(origin);
      expect(repo).toBe(ref.normalized);
      expect(fetchSpec).toBe('+refs/heads/*:refs/remotes/origin/*');
      return (await git(['rev-parse', 'refs/remotes/origin/main'], { cwd: mirrorDir })).stdout.trim();
    });
    expect(head).toMatch(/^[0-9a-f]{40}$/);
  });

  it('makes the first mirror with git init and the next ones as copies of an empty bare repository, each fetched', async () => {
    const started: string[] = [];
    const counting: typeof git = (args, options) => {
      started.push(args.find((a) => !a.startsWith('-')) ?? '');
      return git(args, options);
    };
    const store = createMirrorStore({ git: counting, root: join(root, 'mirrors') });
    const other = await createFixtureRepo({ files: { 'other.md': '# other\n' } });
    try {
      const heads: string[] = [];
      for (const origin of [fixture.origin, other.origin]) {
        heads.push(
          await store.syncThen(parseRepoRef(origin), async (mirrorDir) =>
            (await git(['rev-parse', 'refs/remotes/origin/main'], { cwd: mirrorDir })).stdout.trim(),
          ),
        );
      }
      expect(heads).toEqual([await fixture.branchCommit('main'), await other.branchCommit('main')]);
      expect(started).toEqual(['init', 'fetch', 'fetch']);
      // Two mirrors, the template not among them, and nothing of the first mirror in the second.
      const mirrors = await store.list();
      expect(mirrors).toHaveLength(2);
      const second = mirrors.find((dir) => dir === store.pathFor(parseRepoRef(other.origin))) ?? '';
      const refs = await git(['for-each-ref', '--format=%(refname)'], { cwd: second });
      expect(refs.stdout.trim()).toBe('refs/remotes/origin/main');
      expect((await git(['rev-parse', '--is-bare-repository'], { cwd: second })).stdout.trim()).toBe('true');
    } finally {
      await other.cleanup();
    }
  });

  it('never writes a line break into the config: such an origin is refused where it is parsed', async () => {
    // Unquoted, it would add config of its own (a hooks path) to the mirror.
    const origin = join(root, 'evil\n[core]\n\thooksPath = /tmp');
    const error = await failure(Promise.resolve().then(() => parseRepoRef(origin)));
    expect(error.code).toBe('REPO_REFUSED');
    expect(error.message).toMatch(/control characters/);
  });
});
