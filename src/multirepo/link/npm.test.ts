import { execFile } from 'node:child_process';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  createLinkTestContext,
  describeRun,
  type LinkTestContext,
} from '../../../test/helpers/linked-build.js';
import { isAutodevError } from '../../errors.js';

const exec = promisify(execFile);

const LIBRARY_MANIFEST = JSON.stringify({ name: 'greetlib', version: '1.0.0', main: 'index.js' });
const hello = (word: string) => `exports.hello = (n) => '${word} ' + n;\n`;
const TEST = [
  "const assert = require('node:assert');",
  "const { hello } = require('greetlib');",
  "assert.strictEqual(hello('npm'), 'hi npm');",
  "console.log('consumer test passed');",
  '',
].join('\n');

/**
 * The published greetlib 1.0.0 as its tarball (`npm pack` of the library before the change), which
 * the consumer depends on by file and locks: installable without a registry.
 */
async function publishedConsumer(): Promise<Record<string, string | Buffer>> {
  const dir = await mkdtemp(path.join(tmpdir(), 'autodev-npm-published-'));
  try {
    await writeFile(path.join(dir, 'package.json'), LIBRARY_MANIFEST);
    await writeFile(path.join(dir, 'index.js'), hello('hello'));
    await exec('npm', ['pack', '--silent'], { cwd: dir });
    const tarball = await readFile(path.join(dir, 'greetlib-1.0.0.tgz'));
    const manifest = JSON.stringify({
      name: 'app',
      version: '0.1.0',
      private: true,
      scripts: { test: 'node test.js' },
      dependencies: { greetlib: 'file:vendor/greetlib-1.0.0.tgz' },
    });
    const app = path.join(dir, 'app');
    await exec('mkdir', ['-p', path.join(app, 'vendor')]);
    await writeFile(path.join(app, 'package.json'), manifest);
    await writeFile(path.join(app, 'vendor', 'greetlib-1.0.0.tgz'), tarball);
    await exec('npm', ['install', '--package-lock-only', '--offline', '--no-audit', '--no-fund'], {
      cwd: app,
    });
    return {
      'package.json': manifest,
      'package-lock.json': await readFile(path.join(app, 'package-lock.json'), 'utf8'),
      'vendor/greetlib-1.0.0.tgz': tarball,
      'test.js': TEST,
      '.gitignore': 'node_modules/\n',
    };
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

const NPM_CI = ['npm', 'ci', '--offline', '--no-audit', '--no-fund'];

describe('npm: a consumer built against the changed package by a no-save install, in bubblewrap', () => {
  let ctx: LinkTestContext;
  let consumerFiles: Record<string, string | Buffer>;
  beforeAll(async () => {
    ctx = await createLinkTestContext();
    consumerFiles = await publishedConsumer();
  });
  afterAll(() => ctx?.dispose());

  it('sees the change only when linked; package.json and package-lock.json stay as they were, in the copy too', async () => {
    const library = await ctx.checkout('greetlib', {
      'package.json': LIBRARY_MANIFEST,
      'index.js': hello('hello'),
    });
    await ctx.edit(library, { 'index.js': hello('hi') });
    const consumer = await ctx.checkout('app', consumerFiles);
    const unlinked = await ctx.runAll([NPM_CI, ['npm', 'test']], { cwd: consumer });
    expect(unlinked.at(-1)?.exitCode, describeRun(unlinked.at(-1))).toBe(1);
    expect(unlinked.at(-1)?.stderr).toContain("'hello npm'");

    const link = await ctx.link(consumer, library);
    expect(link.build).toMatchObject({ ecosystem: 'npm', library: 'greetlib', env: {}, buildArgs: [] });
    const runs = await ctx.runLinked(link, [NPM_CI, ...link.build.commands, ['npm', 'test']]);
    expect(runs.at(-1)?.exitCode, describeRun(runs.at(-1))).toBe(0);
    expect(runs.map((r) => r.argv[1])).toEqual(['ci', 'install', 'test']);
    expect(runs.at(-1)?.stdout).toContain('consumer test passed');
    // --no-save: even the copy's manifests are as committed.
    for (const file of ['package.json', 'package-lock.json']) {
      expect(await readFile(path.join(link.build.consumerDir, file), 'utf8')).toBe(consumerFiles[file]);
    }
    expect((await link.verifyUntouched()).map((p) => p.unchanged)).toEqual([true, true]);
  });

  it('refuses a consumer that does not depend on the package, naming it', async () => {
    const library = await ctx.checkout('greetlib', {
      'package.json': LIBRARY_MANIFEST,
      'index.js': hello('hi'),
    });
    const consumer = await ctx.checkout('app', {
      'package.json': JSON.stringify({ name: 'app', version: '0.1.0', devDependencies: { other: '1.0.0' } }),
    });
    const error: unknown = await ctx.link(consumer, library).catch((e: unknown) => e);
    expect(isAutodevError(error, 'LINK_FAILED'), String(error)).toBe(true);
    expect(String(error)).toContain('does not depend on greetlib');
  });
});
