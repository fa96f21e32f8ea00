import { mkdir, mkdtemp, rm, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createFixtureRepo, git, type FixtureRepo } from '../fixtures/repo.js';
import {
  parseErrorBody,
  parseTaskBody,
  parseTaskList,
  seedTask,
  startTestRuntime,
  TASKS,
  type TestRuntime,
} from '../helpers/runtime.js';

const ACME_FORMS = [
  'https://github.com/acme/app.git',
  'https://GitHub.com/acme/app',
  'ssh://git@github.com/acme/app.git',
  'git@github.com:acme/app.git',
];

// The scheduler is not started: accepted tasks stay queued (they would fail later, unreachable).
describe.each([
  [
    'allowlist_repos with a host pattern',
    { configToml: '[autodev]\nallowlist_repos = ["github.com/acme/*"]\n' },
  ],
  [
    'allowlist_repos with a URL pattern',
    { configToml: '[autodev]\nallowlist_repos = ["https://github.com/acme/*"]\n' },
  ],
  ['AUTODEV_ALLOWED_REPOS', { env: { AUTODEV_ALLOWED_REPOS: 'github.com/acme/*' } }],
])('%s', (_name, options) => {
  let t: TestRuntime;
  beforeAll(async () => {
    t = await startTestRuntime(options);
  });
  afterAll(async () => {
    await t?.close();
  });

  it.each(ACME_FORMS)('accepts %s (201)', async (repo) => {
    const res = await t.app.inject({ method: 'POST', url: TASKS, payload: seedTask({ repo }) });
    expect(res.statusCode).toBe(201);
    expect(parseTaskBody(res.body).status).toBe('queued');
  });

  it.each(['https://github.com/other/app', 'git@gitlab.com:acme/app.git', '/srv/git/app.git'])(
    'refuses %s with 403 REPO_NOT_ALLOWED and stores nothing',
    async (repo) => {
      const before = parseTaskList((await t.app.inject({ method: 'GET', url: TASKS })).body).tasks.length;
      const res = await t.app.inject({ method: 'POST', url: TASKS, payload: seedTask({ repo }) });
      expect(res.statusCode).toBe(403);
      const error = parseErrorBody(res.body);
      expect(error.code).toBe('REPO_NOT_ALLOWED');
      const after = parseTaskList((await t.app.inject({ method: 'GET', url: TASKS })).body).tasks.length;
      expect(after).toBe(before);
    },
  );
});

describe('allowlist_repos with a port', () => {
  let t: TestRuntime;
  beforeAll(async () => {
    t = await startTestRuntime({ configToml: '[autodev]\nallowlist_repos = ["127.0.0.1:3000/org/*"]\n' });
  });
  afterAll(async () => {
    await t?.close();
  });

  it('admits the repo at that port and refuses the same path at another port', async () => {
    const post = (repo: string) => t.app.inject({ method: 'POST', url: TASKS, payload: seedTask({ repo }) });
    expect((await post('http://127.0.0.1:3000/org/app.git')).statusCode).toBe(201);
    const other = await post('http://127.0.0.1:3001/org/app.git');
    expect(other.statusCode).toBe(403);
    expect(parseErrorBody(other.body).code).toBe('REPO_NOT_ALLOWED');
  });
});

describe('no allowlist configured (the default)', () => {
  let t: TestRuntime;
  beforeAll(async () => {
    t = await startTestRuntime({ allowlist: '' });
  });
  afterAll(async () => {
    await t?.close();
  });

  it.each(['/srv/git/x.git', 'https://github.com/acme/app.git'])(
    'refuses %s with 403 naming the key and the variable to set',
    async (repo) => {
      const res = await t.app.inject({ method: 'POST', url: TASKS, payload: seedTask({ repo }) });
      expect(res.statusCode).toBe(403);
      const error = parseErrorBody(res.body);
      expect(error.code).toBe('REPO_NOT_ALLOWED');
      expect(error.message).toContain('allowlist_repos');
      expect(error.message).toContain('AUTODEV_ALLOWED_REPOS');
    },
  );
});

describe('allowlist_repos with a local path pattern', () => {
  let t: TestRuntime;
  beforeAll(async () => {
    t = await startTestRuntime({ configToml: '[autodev]\nallowlist_repos = ["/srv/git/**"]\n' });
  });
  afterAll(async () => {
    await t?.close();
  });

  it('admits /srv/git/x.git and refuses /tmp/x.git', async () => {
    const inside = await t.app.inject({
      method: 'POST',
      url: TASKS,
      payload: seedTask({ repo: '/srv/git/x.git' }),
    });
    expect(inside.statusCode).toBe(201);
    const outside = await t.app.inject({
      method: 'POST',
      url: TASKS,
      payload: seedTask({ repo: '/tmp/x.git' }),
    });
    expect(outside.statusCode).toBe(403);
    expect(parseErrorBody(outside.body)).toMatchObject({
      code: 'REPO_NOT_ALLOWED',
      details: { repo: '/tmp/x.git' },
    });
  });
});

describe('repo refusals (whatever the allowlist says)', () => {
  let t: TestRuntime;
  beforeAll(async () => {
    t = await startTestRuntime(); // the helper's allowlist: every repo
  });
  afterAll(async () => {
    await t?.close();
  });

  it.each([
    ['credentials in the URL', 'https://user:pw-s3cr3t-value@github.com/acme/app'],
    ['a token as the URL user', 'https://ghp_abcdefghijklmnopqrstuvwxyz0123456789@github.com/acme/app'],
    ['the ext:: transport', 'ext::sh -c touch% /tmp/pwned'],
    ['an ssh option', '-oProxyCommand=x'],
    ['an upload-pack option', '--upload-pack=x'],
    ['dot segments in a file URL', 'file:///etc/../x'],
    ['dot segments in a path', '/srv/git/../../etc/x.git'],
    ['a relative path', 'repos/x.git'],
    ['a relative dot path', './x.git'],
    ['a fd:: transport', 'fd::3'],
    ['an unknown scheme', 'ftp://example.com/acme/app'],
    ['a newline', '/srv/git/x.git\n--upload-pack=x'],
  ])('refuses %s with 400 REPO_REFUSED', async (_name, repo) => {
    const res = await t.app.inject({ method: 'POST', url: TASKS, payload: seedTask({ repo }) });
    expect(res.statusCode).toBe(400);
    expect(parseErrorBody(res.body).code).toBe('REPO_REFUSED');
    expect(res.body).not.toContain('pw-s3cr3t-value');
    expect(res.body).not.toContain('ghp_abcdefghijklmnopqrstuvwxyz0123456789');
  });

  it('never stores a refused repo, nor its password in the log', async () => {
    const list = parseTaskList((await t.app.inject({ method: 'GET', url: TASKS })).body);
    expect(list.tasks).toEqual([]);
    expect(t.logs()).not.toContain('pw-s3cr3t-value');
  });
});

// A link or a `.git` file under an allowed folder must not open a repository elsewhere: the allowlist
// is matched against the real path git would reach, not the path string.
describe('allowlist_repos with a local pattern, against links and .git files', () => {
  let t: TestRuntime;
  let root: string;
  let allowed: string;
  let outside: FixtureRepo;

  beforeAll(async () => {
    outside = await createFixtureRepo({ files: { 'secret.txt': 'outside\n' } });
    root = await mkdtemp(join(tmpdir(), 'autodev-allowlist-links-'));
    allowed = join(root, 'allowed');
    await mkdir(join(allowed, 'gitfile'), { recursive: true });
    await git(root, ['clone', '-q', '--bare', outside.origin, join(allowed, 'real.git')]);
    await symlink(outside.origin, join(allowed, 'link.git'));
    await writeFile(join(allowed, 'gitfile', '.git'), `gitdir: ${outside.origin}\n`);
    await symlink(join(allowed, 'real.git'), join(allowed, 'inner-link.git'));
    // Bare repos that borrow objects (`clone --shared` writes objects/info/alternates): from a repo
    // outside, from one inside that borrows from outside in turn, and from one inside only.
    await git(root, ['clone', '-q', '--bare', '--shared', outside.origin, join(allowed, 'borrows.git')]);
    await git(root, [
      'clone',
      '-q',
      '--bare',
      '--shared',
      join(allowed, 'borrows.git'),
      join(allowed, 'chain.git'),
    ]);
    await git(root, [
      'clone',
      '-q',
      '--bare',
      '--shared',
      join(allowed, 'real.git'),
      join(allowed, 'borrows-inside.git'),
    ]);
    // The allowed folder named through a link: a pattern and a repo under it must still match.
    await symlink(allowed, join(root, 'alias'));
    t = await startTestRuntime({ configToml: `[autodev]\nallowlist_repos = ["${allowed}/**"]\n` });
  });
  afterAll(async () => {
    await t?.close();
    await outside?.cleanup();
    if (root) await rm(root, { recursive: true, force: true });
  });

  it.each([
    ['a symlink to a repo outside', 'link.git'],
    ['a folder whose .git file names a repo outside', 'gitfile'],
    ['the same, as a file:// URL', 'file://gitfile'],
    ['a name git completes with .git to the link', 'link'],
    ['a bare repo whose objects/info/alternates names a repo outside', 'borrows.git'],
    ['a bare repo borrowing from one inside that borrows from outside', 'chain.git'],
  ])('refuses %s with 403 REPO_NOT_ALLOWED naming it, and stores nothing', async (_name, given) => {
    const repo = given.startsWith('file://')
      ? `file://${join(allowed, given.slice(7))}`
      : join(allowed, given);
    const shown = given.startsWith('file://') ? join(allowed, given.slice(7)) : repo;
    const res = await t.app.inject({ method: 'POST', url: TASKS, payload: seedTask({ repo }) });
    expect(res.statusCode).toBe(403);
    const error = parseErrorBody(res.body);
    expect(error.code).toBe('REPO_NOT_ALLOWED');
    expect(error.message).toContain(shown);
    expect(error.message).toContain('resolves to a path outside allowlist_repos');
    expect(error.message).toContain('objects/info/alternates are followed');
    expect(res.body).not.toContain(outside.origin);
    const list = parseTaskList((await t.app.inject({ method: 'GET', url: TASKS })).body);
    expect(list.tasks.map((task) => task.repo)).not.toContain(repo);
  });

  it.each([
    ['a repo inside', 'allowed/real.git'],
    ['a link that stays inside', 'allowed/inner-link.git'],
    ['a bare repo borrowing objects from one inside', 'allowed/borrows-inside.git'],
  ])('accepts %s (201)', async (_name, given) => {
    const res = await t.app.inject({
      method: 'POST',
      url: TASKS,
      payload: seedTask({ repo: join(root, given) }),
    });
    expect(res.statusCode).toBe(201);
  });

  it('matches a pattern written through a link to the folder by its real path too (201)', async () => {
    const viaAlias = await startTestRuntime({
      configToml: `[autodev]\nallowlist_repos = ["${root}/alias/**"]\n`,
    });
    try {
      for (const repo of [join(root, 'alias', 'real.git'), join(allowed, 'real.git')]) {
        const res = await viaAlias.app.inject({ method: 'POST', url: TASKS, payload: seedTask({ repo }) });
        expect(res.statusCode).toBe(201);
      }
      const res = await viaAlias.app.inject({
        method: 'POST',
        url: TASKS,
        payload: seedTask({ repo: join(root, 'alias', 'link.git') }),
      });
      expect(parseErrorBody(res.body).code).toBe('REPO_NOT_ALLOWED');
    } finally {
      await viaAlias.close();
    }
  });
});
