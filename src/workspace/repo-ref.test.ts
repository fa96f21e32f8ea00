import { describe, expect, it } from 'vitest';
import { isAutodevError } from '../errors.js';
import { parseRepoRef } from './repo-ref.js';

function refusal(input: string): string {
  try {
    parseRepoRef(input);
  } catch (error) {
    if (isAutodevError(error, 'REPO_REFUSED')) return error.message;
    throw error;
  }
  throw new Error(`${JSON.stringify(input)} was accepted`);
}

describe('parseRepoRef', () => {
  it.each([
    ['https://github.com/Owner/Name', 'https://github.com/Owner/Name', 'github.com/Owner/Name'],
    ['https://github.com/owner/name.git', 'https://github.com/owner/name.git', 'github.com/owner/name'],
    ['https://GitHub.com/owner/name/', 'https://github.com/owner/name', 'github.com/owner/name'],
    ['http://gitea.local:3000/owner/name', 'http://gitea.local:3000/owner/name', 'gitea.local/owner/name'],
    [
      'https://gitlab.com/group/sub/name.git',
      'https://gitlab.com/group/sub/name.git',
      'gitlab.com/group/sub/name',
    ],
    ['ssh://git@github.com/owner/name', 'ssh://git@github.com/owner/name', 'github.com/owner/name'],
    [
      'ssh://git@host.example:2222/owner/name.git',
      'ssh://git@host.example:2222/owner/name.git',
      'host.example/owner/name',
    ],
    ['git://host.example/owner/name', 'git://host.example/owner/name', 'host.example/owner/name'],
    ['git@github.com:owner/name.git', 'git@github.com:owner/name.git', 'github.com/owner/name'],
    ['git@GitHub.com:owner/name', 'git@GitHub.com:owner/name', 'github.com/owner/name'],
    ['github.com:owner/name.git', 'github.com:owner/name.git', 'github.com/owner/name'],
  ])('accepts remote %s', (input, cloneUrl, normalized) => {
    // normalizedWithPort, present for a URL naming a port, has its own test below.
    expect(parseRepoRef(input)).toMatchObject({ kind: 'remote', cloneUrl, normalized });
  });

  it('keeps the port of a URL in normalizedWithPort, for allowlist entries written with one', () => {
    expect(parseRepoRef('http://gitea.local:3000/owner/name.git').normalizedWithPort).toBe(
      'gitea.local:3000/owner/name',
    );
    expect(parseRepoRef('ssh://git@host.example:2222/owner/name.git').normalizedWithPort).toBe(
      'host.example:2222/owner/name',
    );
    expect(parseRepoRef('https://github.com/owner/name').normalizedWithPort).toBeUndefined();
    expect(parseRepoRef('git@github.com:owner/name.git').normalizedWithPort).toBeUndefined();
  });

  it('gives the https, ssh and scp-like forms of one repo the same normalized name', () => {
    const forms = [
      'https://github.com/acme/widget',
      'https://github.com/acme/widget.git',
      'https://GITHUB.com/acme/widget/',
      'ssh://git@github.com/acme/widget.git',
      'git@github.com:acme/widget.git',
      'git@github.com:acme/widget',
    ];
    expect(new Set(forms.map((f) => parseRepoRef(f).normalized))).toEqual(
      new Set(['github.com/acme/widget']),
    );
  });

  it.each([
    ['/srv/repos/app', '/srv/repos/app'],
    ['/srv/repos/app/', '/srv/repos/app'],
    ['/srv//repos/./app.git', '/srv/repos/app.git'],
    ['/home/me/my repo', '/home/me/my repo'],
    ['file:///srv/repos/app', '/srv/repos/app'],
    ['file://localhost/srv/repos/app/', '/srv/repos/app'],
    ['file:///home/me/my%20repo', '/home/me/my repo'],
  ])('accepts local %s', (input, path) => {
    expect(parseRepoRef(input)).toEqual({ kind: 'local', cloneUrl: path, normalized: path });
  });

  it('gives a path and its file:// URL the same normalized name', () => {
    expect(parseRepoRef('file:///srv/x').normalized).toBe(parseRepoRef('/srv/x/').normalized);
  });

  it.each([
    ['https://user:secret@github.com/owner/name', /credentials/],
    ['https://token@github.com/owner/name', /credentials/],
    ['ssh://git:pw@github.com/owner/name', /credentials/],
    ['ext::sh -c touch% /tmp/pwned', /ext::/],
    ['fd::17', /remote helpers/],
    ['ftp://host/owner/name', /transport ftp/],
    ['ftps://host/owner/name', /transport ftps/],
    ['rsync://host/owner/name', /transport rsync/],
    ['-uupload-pack=touch /tmp/x', /option/],
    ['--upload-pack=evil', /option/],
    ['', /empty/],
    ['   ', /empty/],
    [' https://github.com/o/n', /whitespace/],
    ['https://github.com/o/n ', /whitespace/],
    ['https://github.com/o/n\n', /control/],
    ['/srv/repo\u0000x', /control/],
    ['https://github.com/o/n\u0007', /control/],
    ['relative/path', /relative/],
    ['./repo', /relative/],
    ['../repo', /relative/],
    ['repo', /relative/],
    ['~/repo', /relative/],
    ['/srv/../etc/repo', /\.\./],
    ['https://github.com/owner', /owner\/name/],
    ['https://github.com/', /owner\/name/],
    ['https://github.com/owner/../name', /dot segments/],
    ['https://github.com/owner/%2e%2e/name', /dot segments/],
    ['file:///srv/../etc/repo', /dot segments/],
    ['https://github.com/owner/name?x=1', /query/],
    ['https://github.com/owner/name#frag', /query/],
    ['ssh://-oProxyCommand=evil/owner/name', /host|URL/],
    ['ssh://-oProxyCommand=evil@host/owner/name', /user/],
    ['-oProxyCommand=evil:owner/name', /option/],
    ['git@host:-evil/name', /"-"/],
    ['file://otherhost/srv/repo', /local path/],
    ['https://github.com/o/n with space', /whitespace/],
  ])('refuses %j', (input, reason) => {
    expect(refusal(input)).toMatch(reason);
  });

  it('names the refused value in the message, with its credentials redacted', () => {
    const message = refusal('https://user:hunter2@github.com/o/n');
    expect(message).toContain('https://***@github.com/o/n');
    expect(message).not.toContain('hunter2');
  });
});
