import { lstat, mkdir, readdir, readFile, readlink, rm, symlink, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createLinkTestContext, type LinkTestContext } from '../../test/helpers/linked-build.js';
import { suiteRandom } from '../../test/helpers/seeded-random.js';
import { isAutodevError } from '../errors.js';
import { createGitRunner } from '../workspace/run-git.js';
import { copyCheckout } from './checkout-copy.js';

describe('copyCheckout: what git sees of a hostile checkout, nothing more', () => {
  let ctx: LinkTestContext;
  const runGit = createGitRunner({ env: process.env });
  const random = suiteRandom();
  beforeAll(async () => {
    ctx = await createLinkTestContext();
  });
  afterAll(() => ctx?.dispose());

  it('copies tracked edits and untracked files, leaves ignored ones and .git, and copies links as links', async () => {
    const secret = path.join(path.dirname(await ctx.checkout('outside', { x: 'x' })), 'host-secret.txt');
    await writeFile(secret, 'host secret');
    const dir = await ctx.checkout('consumer', {
      'src/a.txt': 'committed',
      'gone.txt': 'deleted in the work tree',
      '.gitignore': 'node_modules/\n',
    });
    await writeFile(path.join(dir, 'src/a.txt'), 'edited');
    await rm(path.join(dir, 'gone.txt'));
    await writeFile(path.join(dir, 'new.txt'), 'untracked');
    await mkdir(path.join(dir, 'node_modules/pkg'), { recursive: true });
    await writeFile(path.join(dir, 'node_modules/pkg/index.js'), 'ignored');
    // A link out of the checkout: copied as the link it is, its target never read.
    await symlink(secret, path.join(dir, 'leak.txt'));
    const to = path.join(path.dirname(dir), `copy-${random.int(1_000_000)}`);
    await copyCheckout(runGit, dir, to);
    expect(await readFile(path.join(to, 'src/a.txt'), 'utf8')).toBe('edited');
    expect(await readFile(path.join(to, 'new.txt'), 'utf8')).toBe('untracked');
    const missing = async (file: string) =>
      (await lstat(path.join(to, file)).catch(() => undefined)) === undefined;
    expect(await missing('gone.txt')).toBe(true);
    expect(await missing('node_modules')).toBe(true);
    expect(await missing('.git')).toBe(true);
    expect((await lstat(path.join(to, 'leak.txt'))).isSymbolicLink()).toBe(true);
    expect(await readlink(path.join(to, 'leak.txt'))).toBe(secret);
  });

  it('refuses a tracked file whose folder became a link to a host folder, copying nothing from there', async () => {
    const host = path.join(
      path.dirname(await ctx.checkout('host', { x: 'x' })),
      `host-${random.int(1_000_000)}`,
    );
    await mkdir(host);
    await writeFile(path.join(host, 'id_key'), 'host private key');
    const dir = await ctx.checkout('consumer', { 'conf/id_key': 'placeholder', 'a.txt': 'a' });
    await rm(path.join(dir, 'conf'), { recursive: true });
    await symlink(host, path.join(dir, 'conf'));
    const to = `${dir}-copy`;
    const error: unknown = await copyCheckout(runGit, dir, to).catch((e: unknown) => e);
    expect(isAutodevError(error, 'LINK_FAILED'), String(error)).toBe(true);
    expect(String(error)).toContain('conf/id_key');
    // Whatever was copied before the refusal, no regular file of the copy holds the host's key.
    const entries = await readdir(to, { recursive: true, withFileTypes: true });
    const contents = await Promise.all(
      entries.filter((e) => e.isFile()).map((e) => readFile(path.join(e.parentPath, e.name), 'utf8')),
    );
    expect(contents).not.toContain('host private key');
  });

  it('refuses a checkout over the file or byte limit with LINK_FAILED naming the limit', async () => {
    const files = Object.fromEntries(
      Array.from({ length: 4 + random.int(6) }, (_, i) => [`f${i}.txt`, 'x'.repeat(21 + random.int(80))]),
    );
    const dir = await ctx.checkout('big', files);
    const tooMany = await copyCheckout(runGit, dir, `${dir}-a`, { maxFiles: 3, maxBytes: 1e9 }).catch(
      (e: unknown) => e,
    );
    expect(isAutodevError(tooMany, 'LINK_FAILED')).toBe(true);
    expect(String(tooMany)).toContain('over the 3');
    const tooBig = await copyCheckout(runGit, dir, `${dir}-b`, { maxFiles: 100, maxBytes: 20 }).catch(
      (e: unknown) => e,
    );
    expect(isAutodevError(tooBig, 'LINK_FAILED')).toBe(true);
    expect(String(tooBig)).toContain('more than 20 bytes');
  });

  it('a consumer whose manifest is a link (to a host file) is refused naming the file, never read through', async () => {
    const library = await ctx.checkout('greet', { 'go.mod': 'module example.test/greet\n' });
    const consumer = await ctx.checkout('app', { 'README.md': 'x' });
    await symlink('/etc/hostname', path.join(consumer, 'go.mod'));
    const error: unknown = await ctx.link(consumer, library, 'go').catch((e: unknown) => e);
    expect(isAutodevError(error, 'LINK_FAILED'), String(error)).toBe(true);
    expect(String(error)).toContain('go.mod');
    expect(String(error)).toContain('not a regular file');
  });
});
