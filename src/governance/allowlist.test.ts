import { describe, expect, it } from 'vitest';
import { parseRepoRef } from '../workspace/repo-ref.js';
import { createRepoAllowlist } from './allowlist.js';

/** What the task service does: parse the repo as the user gave it, then ask the allowlist. */
const allows = (patterns: string[], repo: string) => {
  const ref = parseRepoRef(repo);
  return createRepoAllowlist(patterns)(ref.normalized, ref.normalizedWithPort);
};

const ACME_FORMS = [
  'https://github.com/acme/app.git',
  'https://github.com/acme/app',
  'https://GitHub.com/acme/app',
  'ssh://git@github.com/acme/app.git',
  'ssh://git@github.com:22/acme/app.git',
  'git@github.com:acme/app.git',
  'github.com:acme/app',
];

describe('createRepoAllowlist', () => {
  it.each([
    'github.com/acme/*',
    'https://github.com/acme/*',
    'git@github.com:acme/*',
    'ssh://git@github.com/acme/*',
    'github.com/acme/app',
    'https://github.com/acme/app.git',
    'github.com/acme/{app,lib}',
  ])('pattern %j admits every form of github.com/acme/app', (pattern) => {
    for (const repo of ACME_FORMS) expect(allows([pattern], repo), repo).toBe(true);
  });

  it.each(['github.com/acme/*', 'https://github.com/acme/*', 'git@github.com:acme/*'])(
    'pattern %j refuses other owners, hosts and look-alikes',
    (pattern) => {
      for (const repo of [
        'https://github.com/other/app',
        'https://github.com/acme-evil/app',
        'https://gitlab.com/acme/app',
        'https://github.com.evil.test/acme/app',
        'https://github.com/acme/group/app', // `*` does not cross a `/`
        '/srv/git/acme/app.git',
      ]) {
        expect(allows([pattern], repo), repo).toBe(false);
      }
    },
  );

  it('matches hosts case-insensitively but owners and names exactly', () => {
    expect(allows(['GitHub.com/acme/*'], 'https://github.com/acme/app')).toBe(false);
    expect(allows(['https://GitHub.com/acme/*'], 'https://github.com/acme/app')).toBe(true);
    expect(allows(['github.com/acme/*'], 'https://github.com/ACME/app')).toBe(false);
  });

  it('`**` crosses groups; `*` does not', () => {
    expect(allows(['gitlab.com/acme/**'], 'https://gitlab.com/acme/sub/group/app.git')).toBe(true);
    expect(allows(['gitlab.com/acme/*'], 'https://gitlab.com/acme/sub/group/app.git')).toBe(false);
  });

  it('local path patterns admit paths under them and nothing else', () => {
    const patterns = ['/srv/git/**'];
    expect(allows(patterns, '/srv/git/x.git')).toBe(true);
    expect(allows(patterns, '/srv/git/team/x.git')).toBe(true);
    expect(allows(patterns, 'file:///srv/git/x.git')).toBe(true);
    expect(allows(patterns, '/tmp/x.git')).toBe(false);
    expect(allows(patterns, '/srv/gitx/x.git')).toBe(false);
    expect(allows(patterns, 'https://github.com/srv/git')).toBe(false);
  });

  it('a path cannot climb out of an allowed tree', () => {
    // The repo parser refuses `..`; the allowlist never sees a path that would resolve elsewhere.
    expect(() => allows(['/srv/git/**'], '/srv/git/../../etc/x.git')).toThrow(/\.\./);
    expect(() => allows(['/srv/git/**'], 'file:///srv/git/../x')).toThrow();
  });

  it.each(['127.0.0.1:3000/org/*', 'http://127.0.0.1:3000/org/*', 'ssh://git@127.0.0.1:3000/org/*'])(
    'pattern %j with a port admits the repo at that port and no other',
    (pattern) => {
      expect(allows([pattern], 'http://127.0.0.1:3000/org/app.git')).toBe(true);
      expect(allows([pattern], 'ssh://git@127.0.0.1:3000/org/app.git')).toBe(true);
      expect(allows([pattern], 'http://127.0.0.1:3001/org/app.git')).toBe(false);
      expect(allows([pattern], 'http://127.0.0.1/org/app.git')).toBe(false);
      expect(allows([pattern], 'http://127.0.0.1:3000/other/app.git')).toBe(false);
    },
  );

  it('a pattern without a port admits the repo at any port', () => {
    expect(allows(['127.0.0.1/org/*'], 'http://127.0.0.1:3000/org/app.git')).toBe(true);
  });

  it('`**` admits every repo; an empty list (the default) admits none', () => {
    for (const repo of [...ACME_FORMS, '/tmp/x.git', 'https://gitlab.example/a/b/c']) {
      expect(allows(['**'], repo), repo).toBe(true);
      expect(allows([], repo), repo).toBe(false);
    }
  });

  it('admits a repo when any one pattern matches', () => {
    const patterns = ['github.com/acme/*', '/srv/git/**'];
    expect(allows(patterns, '/srv/git/x.git')).toBe(true);
    expect(allows(patterns, 'git@github.com:acme/app.git')).toBe(true);
    expect(allows(patterns, 'https://github.com/other/app')).toBe(false);
  });

  it('an exact local path pattern admits that repo, `.git` and all', () => {
    expect(allows(['/srv/git/x.git'], '/srv/git/x.git')).toBe(true);
    expect(allows(['/srv/git/x.git/'], '/srv/git/x.git')).toBe(true);
    expect(allows(['file:///srv/git/x.git'], '/srv/git/x.git')).toBe(true);
    expect(allows(['file:///srv/git/**'], '/srv/git/y.git')).toBe(true);
    expect(allows(['/srv/git/x.git'], '/srv/git/x.git2')).toBe(false);
    expect(allows(['/srv/git/x.git'], '/srv/git/y.git')).toBe(false);
  });

  it('ignores surrounding whitespace and a trailing slash or .git in a host pattern', () => {
    expect(allows(['  github.com/acme/app.git  '], 'https://github.com/acme/app')).toBe(true);
    expect(allows(['github.com/acme/app.git/'], 'git@github.com:acme/app.git')).toBe(true);
  });
});
