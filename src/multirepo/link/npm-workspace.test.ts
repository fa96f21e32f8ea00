import { mkdir, readFile, symlink } from 'node:fs/promises';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  FROZEN_INSTALL,
  hello,
  LIBRARY_MANIFEST,
  lockfileOf,
  packedGreetlib,
} from '../../../test/helpers/js-published.js';
import {
  createLinkTestContext,
  describeRun,
  type LinkTestContext,
} from '../../../test/helpers/linked-build.js';
import { git } from '../../../test/fixtures/repo.js';
import { isAutodevError } from '../../errors.js';

const APP_TEST = [
  "const assert = require('node:assert');",
  "const { hello } = require('greetlib');",
  "assert.strictEqual(hello('js'), 'hi js');",
  "console.log('member test passed');",
  '',
].join('\n');

/**
 * A consumer that is an npm workspace: its root depends on nothing, its member `packages/app`
 * depends on greetlib 1.0.0 as published (a vendored tarball) and expects the changed greeting;
 * `packages/other` and the excluded `packages/legacy` do not use it.
 */
async function workspaceConsumer(): Promise<Record<string, string | Buffer>> {
  const files: Record<string, string | Buffer> = {
    'package.json': JSON.stringify({
      name: 'monorepo',
      private: true,
      workspaces: ['packages/*', '!packages/legacy'],
      scripts: { test: 'npm test --workspaces --if-present' },
    }),
    'packages/app/package.json': JSON.stringify({
      name: 'app',
      version: '0.1.0',
      scripts: { test: 'node test.js' },
      dependencies: { greetlib: 'file:../../vendor/greetlib-1.0.0.tgz' },
    }),
    'packages/app/test.js': APP_TEST,
    'packages/other/package.json': JSON.stringify({ name: 'other', version: '0.1.0' }),
    'vendor/greetlib-1.0.0.tgz': await packedGreetlib(),
  };
  return {
    ...files,
    'package-lock.json': await lockfileOf('npm', files),
    'packages/legacy/package.json': 'not json',
    '.gitignore': 'node_modules/\n',
  };
}

describe('npm workspaces: a consumer that is a workspace, linked in bubblewrap (a library workspace: js-link-suite)', () => {
  let ctx: LinkTestContext;
  beforeAll(async () => {
    ctx = await createLinkTestContext();
  });
  afterAll(() => ctx?.dispose());

  it('links the member that depends on the package; the checkouts and the copy manifests stay', async () => {
    const library = await ctx.checkout('greetlib', {
      'package.json': LIBRARY_MANIFEST,
      'index.js': hello('hello'),
    });
    await ctx.edit(library, { 'index.js': hello('hi') });
    const files = await workspaceConsumer();
    const consumer = await ctx.checkout('app', files);
    const unlinked = await ctx.runAll([FROZEN_INSTALL.npm, ['npm', 'test']], { cwd: consumer });
    expect(unlinked.at(-1)?.exitCode, describeRun(unlinked.at(-1))).not.toBe(0);
    expect(unlinked.at(-1)?.stderr).toContain("'hello js'");

    const link = await ctx.link(consumer, library);
    expect(link.build).toMatchObject({ ecosystem: 'npm', library: 'greetlib' });
    expect(link.build.commands).toEqual([
      [
        'npm',
        'install',
        '--no-save',
        '--install-links',
        '--no-audit',
        '--no-fund',
        `file:${link.build.libraryDir}`,
        '--workspace=packages/app',
      ],
    ]);
    const runs = await ctx.runLinked(link, [FROZEN_INSTALL.npm, ...link.build.commands, ['npm', 'test']]);
    expect(runs.at(-1)?.exitCode, describeRun(runs.at(-1))).toBe(0);
    expect(runs.length).toBe(3);
    expect(runs.at(-1)?.stdout).toContain('member test passed');
    for (const file of ['package.json', 'package-lock.json', 'packages/app/package.json']) {
      expect(await readFile(path.join(link.build.consumerDir, file), 'utf8'), file).toBe(String(files[file]));
    }
    expect((await link.verifyUntouched()).map((p) => p.unchanged)).toEqual([true, true]);
  });

  it('refuses a workspace no member of which uses the package, and members leaving the root', async () => {
    const library = await ctx.checkout('greetlib', {
      'package.json': LIBRARY_MANIFEST,
      'index.js': hello('hi'),
    });
    const outside = await ctx.checkout('outside', {
      'package.json': JSON.stringify({ name: 'x', dependencies: { greetlib: '1.0.0' } }),
    });
    const unused = await ctx.checkout('app', {
      'package.json': JSON.stringify({ name: 'monorepo', private: true, workspaces: ['packages/*'] }),
      'packages/other/package.json': JSON.stringify({ name: 'other', version: '0.1.0' }),
    });
    // A member folder that is a link is never entered, whatever its package.json says.
    await mkdir(path.join(unused, 'packages'), { recursive: true });
    await symlink(outside, path.join(unused, 'packages', 'linked'));
    await git(unused, ['add', '-A']);
    await git(unused, ['commit', '-q', '-m', 'link']);
    const escaping = await ctx.checkout('app', {
      'package.json': JSON.stringify({ name: 'monorepo', private: true, workspaces: ['../outside-*'] }),
    });
    for (const [consumer, words] of [
      [unused, "no package.json of the consumer's workspace depends on greetlib"],
      [escaping, '"../outside-*" is outside the workspace'],
    ] as const) {
      const error: unknown = await ctx.link(consumer, library, 'npm').catch((e: unknown) => e);
      expect(isAutodevError(error, 'LINK_FAILED'), String(error)).toBe(true);
      expect(String(error)).toContain(words);
    }
  });
});
