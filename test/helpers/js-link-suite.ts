import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createLinkTestContext, describeRun, type LinkTestContext } from './linked-build.js';
import { isAutodevError } from '../../src/errors.js';
import {
  FROZEN_INSTALL,
  hello,
  LIBRARY_MANIFEST,
  publishedConsumer,
  type JsManager,
} from './js-published.js';

/**
 * What every JavaScript linker must do, in the real bubblewrap sandbox without network: the
 * consumer's test fails against the published library and passes once linked, both checkouts stay
 * as they were, and a consumer that does not depend on the library is refused by name.
 */
export function jsLinkSuite(manager: JsManager, expectations: { manifestsInCopy: 'unchanged' | 'changed' }) {
  describe(`${manager}: a consumer built against the changed package, in bubblewrap`, () => {
    let ctx: LinkTestContext;
    let consumerFiles: Record<string, string | Buffer>;
    beforeAll(async () => {
      ctx = await createLinkTestContext();
      consumerFiles = await publishedConsumer(manager);
    });
    afterAll(() => ctx?.dispose());

    it('sees the change only when linked; the checkouts stay as they were', async () => {
      const library = await ctx.checkout('greetlib', {
        'package.json': LIBRARY_MANIFEST,
        'index.js': hello('hello'),
      });
      await ctx.edit(library, { 'index.js': hello('hi') });
      const consumer = await ctx.checkout('app', consumerFiles);
      const unlinked = await ctx.runAll([FROZEN_INSTALL[manager], [manager, 'test']], { cwd: consumer });
      expect(unlinked.at(-1)?.exitCode, describeRun(unlinked.at(-1))).not.toBe(0);
      expect(unlinked.at(-1)?.stderr).toContain("'hello js'");

      const link = await ctx.link(consumer, library);
      expect(link.build).toMatchObject({ ecosystem: manager, library: 'greetlib', env: {}, buildArgs: [] });
      const runs = await ctx.runLinked(link, [
        FROZEN_INSTALL[manager],
        ...link.build.commands,
        [manager, 'test'],
      ]);
      expect(runs.at(-1)?.exitCode, describeRun(runs.at(-1))).toBe(0);
      expect(runs.length).toBe(link.build.commands.length + 2);
      expect(runs.at(-1)?.stdout).toContain('consumer test passed');
      const copyManifest = await readFile(path.join(link.build.consumerDir, 'package.json'), 'utf8');
      if (expectations.manifestsInCopy === 'unchanged')
        expect(copyManifest).toBe(consumerFiles['package.json']);
      else expect(copyManifest).toContain(link.build.libraryDir);
      expect((await link.verifyUntouched()).map((p) => p.unchanged)).toEqual([true, true]);
    });

    it('installs the member package of a library that is a workspace', async () => {
      const library = await ctx.checkout('greet-monorepo', {
        'package.json': JSON.stringify({ name: 'greet-monorepo', private: true, workspaces: ['packages/*'] }),
        'packages/docs/package.json': JSON.stringify({ name: 'greet-docs', version: '1.0.0' }),
        'packages/greetlib/package.json': LIBRARY_MANIFEST,
        'packages/greetlib/index.js': hello('hello'),
      });
      await ctx.edit(library, { 'packages/greetlib/index.js': hello('hi') });
      const consumer = await ctx.checkout('app', consumerFiles);
      const link = await ctx.link(consumer, library);
      expect(link.build).toMatchObject({ ecosystem: manager, library: 'greetlib' });
      const member = path.join(link.build.libraryDir, 'packages', 'greetlib');
      expect(JSON.stringify(link.build.commands)).toContain(JSON.stringify(`file:${member}`).slice(1, -1));
      const runs = await ctx.runLinked(link, [
        FROZEN_INSTALL[manager],
        ...link.build.commands,
        [manager, 'test'],
      ]);
      expect(runs.at(-1)?.exitCode, describeRun(runs.at(-1))).toBe(0);
      expect(runs.at(-1)?.stdout).toContain('consumer test passed');
      expect((await link.verifyUntouched()).map((p) => p.unchanged)).toEqual([true, true]);
    });

    it('refuses a consumer that does not depend on the package, naming it', async () => {
      const library = await ctx.checkout('greetlib', {
        'package.json': LIBRARY_MANIFEST,
        'index.js': hello('hi'),
      });
      const consumer = await ctx.checkout('app', {
        ...consumerFiles,
        'package.json': JSON.stringify({
          name: 'app',
          version: '0.1.0',
          devDependencies: { other: '1.0.0' },
        }),
      });
      const error: unknown = await ctx.link(consumer, library, manager).catch((e: unknown) => e);
      expect(isAutodevError(error, 'LINK_FAILED'), String(error)).toBe(true);
      expect(String(error)).toContain('does not depend on greetlib');
    });
  });
}
