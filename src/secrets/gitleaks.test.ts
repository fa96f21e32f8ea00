import { execFile } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterEach, describe, expect, it } from 'vitest';
import { MAX_BINARY_SCAN_BYTES, UNSCANNABLE_RULE } from './binary-files.js';
import { createGitleaksScanner } from './gitleaks.js';
import { projectToolPath } from './tool-path.js';

const exec = promisify(execFile);

// Built from parts so that secret scanners do not flag this file.
const AWS_KEY = ['AKIA', 'IOSFODNN7ABCDEFG'].join('');
const GITHUB_TOKEN = ['ghp', 'k7Qx2Lm9Pz4Rt8Vw1Ny6Bc3Hd5Jf0Gs2Ka9Zq'].join('_');
const PRIVATE_KEY = [
  ['-----BEGIN', 'RSA PRIVATE KEY-----'].join(' '),
  'MIIEpAIBAAKCAQEA3Tz2mr7SZiAMfQyuvBjM9Oi6Z3e5fGx8Q1uV0fJ2n7kLwHsY9pRt',
  'q8Xc4Vb1Nm6Lk2Jh9Gf5Ds3Aa0Ze7Yw4Ut1Ri8Oe5Wq2Pl9Km6Jn3Hb0Gv7Fc4Dx1Sz',
  ['-----END', 'RSA PRIVATE KEY-----'].join(' '),
].join('\n');
const RULES = ['aws-access-token', 'github-pat', 'private-key'];

const env = { PATH: process.env.PATH ?? '/usr/bin:/bin', HOME: tmpdir() };
const scanner = createGitleaksScanner({ binary: projectToolPath('gitleaks'), env });

async function git(cwd: string, args: string[]): Promise<string> {
  const { stdout } = await exec(
    'git',
    ['-c', 'user.name=t', '-c', 'user.email=t@t', '-c', 'init.defaultBranch=main', ...args],
    { cwd, env: { ...env, GIT_CONFIG_NOSYSTEM: '1', GIT_CONFIG_GLOBAL: '/dev/null' } },
  );
  return stdout.trim();
}

const roots: string[] = [];
afterEach(async () => {
  for (const root of roots.splice(0)) await rm(root, { recursive: true, force: true });
});

/**
 * A worktree of a bare repository, as autodev's workspaces are, with one commit of `files` on top of
 * the base; returns the worktree and the base commit to scan from.
 */
async function changeWith(files: Record<string, string | Buffer>): Promise<{ dir: string; base: string }> {
  const root = await mkdtemp(join(tmpdir(), 'autodev-gitleaks-test-'));
  roots.push(root);
  const seed = join(root, 'seed');
  await exec('mkdir', [seed]);
  await git(seed, ['init', '-q']);
  await writeFile(join(seed, 'README.md'), '# app\n');
  await git(seed, ['add', 'README.md']);
  await git(seed, ['commit', '-qm', 'init']);
  await git(root, ['clone', '-q', '--bare', seed, 'mirror.git']);
  const dir = join(root, 'work');
  await git(join(root, 'mirror.git'), ['worktree', 'add', '-q', '-b', 'task', dir, 'main']);
  const base = await git(dir, ['rev-parse', 'HEAD']);
  for (const [name, content] of Object.entries(files)) await writeFile(join(dir, name), content);
  await git(dir, ['add', '--', ...Object.keys(files)]);
  await git(dir, ['commit', '-qm', 'the change']);
  return { dir, base };
}

const credentials = (suffix = '') =>
  [
    `aws_access_key_id = "${AWS_KEY}"${suffix}`,
    `github_token = "${GITHUB_TOKEN}"${suffix}`,
    ...PRIVATE_KEY.split('\n').map((line) => `${line}${suffix}`),
    '',
  ].join('\n');

describe('createGitleaksScanner', () => {
  it('finds an AWS key, a GitHub token and a private key in a new file', async () => {
    const { dir, base } = await changeWith({ 'creds.txt': credentials() });
    const findings = await scanner.scanCommits(dir, base);
    expect(findings.map((f) => f.rule)).toEqual(expect.arrayContaining(RULES));
    expect(findings.every((f) => f.file === 'creds.txt')).toBe(true);
  });

  it("finds an AWS key id of low entropy, which gitleaks' own rule lets through, and not AWS's documented example", async () => {
    // Entropy 2.9: below gitleaks' aws-access-token threshold of 3 (found by the corpus, seed 4245256280).
    const lowEntropy = ['ASIA', '2SFA2I2DPAFAR72S'].join('');
    const documented = ['AKIA', 'IOSFODNN7EXAMPLE'].join('');
    const { dir, base } = await changeWith({
      'sts.json': `{"AccessKeyId": "${lowEntropy}"}\n`,
      'docs.md': `aws configure set aws_access_key_id ${documented}\n`,
    });
    const findings = await scanner.scanCommits(dir, base);
    expect(findings.map((f) => [f.file, f.line])).toEqual([['sts.json', 1]]);
  });

  it('ignores gitleaks:allow comments the change adds', async () => {
    const { dir, base } = await changeWith({ 'creds.txt': credentials(' # gitleaks:allow') });
    const findings = await scanner.scanCommits(dir, base);
    expect(findings.map((f) => f.rule)).toEqual(expect.arrayContaining(RULES));
  });

  it('ignores a .gitleaks.toml the change adds to allow-list its file and disable the rules', async () => {
    const config = [
      'title = "mine"',
      '[allowlist]',
      'paths = ["creds.txt"]',
      '[[rules]]',
      'id = "nothing"',
      'regex = "x^"',
      '',
    ].join('\n');
    const { dir, base } = await changeWith({ 'creds.txt': credentials(), '.gitleaks.toml': config });
    const findings = await scanner.scanCommits(dir, base);
    expect(findings.map((f) => f.rule)).toEqual(expect.arrayContaining(RULES));
  });

  it('ignores a .gitleaksignore in the workspace listing the findings', async () => {
    const { dir, base } = await changeWith({ 'creds.txt': credentials() });
    const first = await scanner.scanCommits(dir, base);
    // Every form of fingerprint gitleaks accepts: with the commit, and without it.
    const lines = first.flatMap((f) => [
      `${f.commit}:${f.file}:${f.rule}:${f.line}`,
      `${f.file}:${f.rule}:${f.line}`,
    ]);
    await writeFile(join(dir, '.gitleaksignore'), `${lines.join('\n')}\n`);
    const again = await scanner.scanCommits(dir, base);
    const byRule = (a: { rule: string }, b: { rule: string }) => a.rule.localeCompare(b.rule);
    expect(again.sort(byRule)).toEqual(first.sort(byRule));
  });

  it('finds nothing in a change without secrets', async () => {
    const { dir, base } = await changeWith({ 'notes.md': 'just words\n' });
    expect(await scanner.scanCommits(dir, base)).toEqual([]);
  });

  it('finds the keys of a deploy.env that starts with a NUL (git calls it binary), naming the file and the commit', async () => {
    const { dir, base } = await changeWith({
      'deploy.env': Buffer.concat([Buffer.from([0]), Buffer.from(credentials())]),
      'logo.png': Buffer.from([0x89, 0x50, 0x4e, 0x47, 0, 0, 0, 0x0d]),
    });
    const findings = await scanner.scanCommits(dir, base);
    const head = await git(dir, ['rev-parse', 'HEAD']);
    expect(findings.map((f) => f.rule)).toEqual(expect.arrayContaining(RULES));
    expect(findings.every((f) => f.file === 'deploy.env' && f.commit === head)).toBe(true);
  });

  it('finds the keys in a binary blob whose first bytes happen to be a UTF-16 byte order mark', async () => {
    // Random bytes open with FF FE or FE FF about once in 32,768 files; read only as UTF-16, the ASCII
    // inside was lost (the corpus drew one under seed 1102).
    for (const bom of [
      [0xff, 0xfe],
      [0xfe, 0xff],
    ]) {
      const blob = Buffer.concat([
        Buffer.from([...bom, 0x13, 0x80, 0]),
        Buffer.from(credentials()),
        Buffer.from([0]),
      ]);
      const { dir, base } = await changeWith({ 'blob.bin': blob });
      const findings = await scanner.scanCommits(dir, base);
      expect(findings.map((f) => f.rule)).toEqual(expect.arrayContaining(RULES));
    }
  });

  it("finds the keys of a text file the change's own .gitattributes marks binary", async () => {
    // git >= 2.43 reads a bare repository's attributes from HEAD (the change): without the scan's
    // attr.tree pin, gitleaks' git log printed "Binary files differ" for deploy.env while git's NUL
    // test called it text, and neither side read it. git < 2.43 reads no attributes from HEAD at all.
    const { dir, base } = await changeWith({
      '.gitattributes': 'deploy.env binary\n',
      'deploy.env': credentials(),
    });
    const findings = await scanner.scanCommits(dir, base);
    expect(findings.map((f) => f.rule)).toEqual(expect.arrayContaining(RULES));
    expect(findings.every((f) => f.file === 'deploy.env')).toBe(true);
  });

  it("finds the keys of a text file the host user's own git config marks binary", async () => {
    // A developer's ~/.gitconfig often names a global attributes file; one saying `*.env -diff` made
    // gitleaks' git log print "Binary files differ" for deploy.env while git's NUL test called it
    // text, and neither side read it. The scan's git reads no host config at all.
    const home = await mkdtemp(join(tmpdir(), 'autodev-gitleaks-home-'));
    roots.push(home);
    await writeFile(join(home, 'attributes'), '*.env -diff\n');
    await writeFile(join(home, '.gitconfig'), `[core]\n\tattributesFile = ${join(home, 'attributes')}\n`);
    const withHostConfig = createGitleaksScanner({
      binary: projectToolPath('gitleaks'),
      env: { ...env, HOME: home },
      // What autodev's workspace git answers (its own hardened git, by the NUL test): no binary file.
      changedBinaryFiles: () => Promise.resolve([]),
    });
    const { dir, base } = await changeWith({ 'deploy.env': credentials() });
    const findings = await withHostConfig.scanCommits(dir, base);
    expect(findings.map((f) => f.rule)).toEqual(expect.arrayContaining(RULES));
    expect(findings.every((f) => f.file === 'deploy.env')).toBe(true);
  });

  it('reports a binary file too large to read as a finding of its own, not as clean', async () => {
    const big = Buffer.alloc(MAX_BINARY_SCAN_BYTES + 1);
    const { dir, base } = await changeWith({ 'model.bin': big });
    expect(await scanner.scanCommits(dir, base)).toEqual([
      expect.objectContaining({ rule: UNSCANNABLE_RULE, file: 'model.bin' }),
    ]);
  });
});
