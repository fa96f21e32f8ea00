import { readFile } from 'node:fs/promises';
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
import { isAutodevError } from '../../errors.js';

const APP_TEST = [
  "const assert = require('node:assert');",
  "const { hello } = require('greetlib');",
  "assert.strictEqual(hello('js'), 'hi js');",
  "console.log('member test passed');",
  '',
].join('\n');

/**
 * A consumer that is a yarn (1) workspace: the root depends on nothing, the member `packages/app`
 * depends on greetlib 1.0.0 as published (a vendored tarball) and expects the changed greeting.
 */
async function workspaceConsumer(): Promise<Record<string, string | Buffer>> {
  const files: Record<string, string | Buffer> = {
    'package.json': JSON.stringify({
      name: 'monorepo',
      private: true,
      workspaces: ['packages/*'],
      scripts: { test: 'yarn workspaces run test' },
    }),
    'packages/app/package.json': JSON.stringify({
      name: 'app',
      version: '0.1.0',
      scripts: { test: 'node test.js' },
      dependencies: { greetlib: 'file:../../vendor/greetlib-1.0.0.tgz' },
    }),
    'packages/app/test.js': APP_TEST,
    'packages/other/package.json': JSON.stringify({
      name: 'other',
      version: '0.1.0',
      scripts: { test: 'true' },
    }),
    'vendor/greetlib-1.0.0.tgz': await packedGreetlib(),
  };
  return {
    ...files,
    'yarn.lock': await lockfileOf('yarn', files),
    '.gitignore': 'node_modules/\n',
  };
}

describe('yarn workspaces: a consumer that is a workspace, linked in bubblewrap', () => {
  let ctx: LinkTestContext;
  beforeAll(async () => {
    ctx = await createLinkTestContext();
  });
  afterAll(() => ctx?.dispose());

  it("links through the member's own declaration and the root's resolutions", async () => {
    const library = await ctx.checkout('greetlib', {
      'package.json': LIBRARY_MANIFEST,
      'index.js': hello('hello'),
    });
    await ctx.edit(library, { 'index.js': hello('hi') });
    const consumer = await ctx.checkout('app', await workspaceConsumer());
    const unlinked = await ctx.runAll([FROZEN_INSTALL.yarn, ['yarn', 'test']], { cwd: consumer });
    expect(unlinked.at(-1)?.exitCode, describeRun(unlinked.at(-1))).not.toBe(0);
    expect(unlinked.at(-1)?.stdout + (unlinked.at(-1)?.stderr ?? '')).toContain("'hello js'");

    const link = await ctx.link(consumer, library);
    expect(link.build).toMatchObject({ ecosystem: 'yarn', library: 'greetlib' });
    const runs = await ctx.runLinked(link, [FROZEN_INSTALL.yarn, ...link.build.commands, ['yarn', 'test']]);
    expect(runs.at(-1)?.exitCode, describeRun(runs.at(-1))).toBe(0);
    expect(runs.at(-1)?.stdout).toContain('member test passed');
    const copy = async (file: string): Promise<unknown> =>
      JSON.parse(await readFile(path.join(link.build.consumerDir, file), 'utf8'));
    const spec = `file:${link.build.libraryDir}`;
    expect(await copy('package.json')).toMatchObject({ resolutions: { greetlib: spec } });
    expect(await copy('packages/app/package.json')).toMatchObject({ dependencies: { greetlib: spec } });
    expect(await copy('packages/other/package.json')).toEqual({
      name: 'other',
      version: '0.1.0',
      scripts: { test: 'true' },
    });
    expect((await link.verifyUntouched()).map((p) => p.unchanged)).toEqual([true, true]);
  });

  it('refuses a workspace no member of which uses the package', async () => {
    const library = await ctx.checkout('greetlib', {
      'package.json': LIBRARY_MANIFEST,
      'index.js': hello('hi'),
    });
    const consumer = await ctx.checkout('app', {
      'package.json': JSON.stringify({ name: 'monorepo', private: true, workspaces: ['packages/*'] }),
      'yarn.lock': '',
      'packages/other/package.json': JSON.stringify({ name: 'other', version: '0.1.0' }),
    });
    const error: unknown = await ctx.link(consumer, library).catch((e: unknown) => e);
    expect(isAutodevError(error, 'LINK_FAILED'), String(error)).toBe(true);
    expect(String(error)).toContain("no package.json of the consumer's workspace depends on greetlib");
  });
});
