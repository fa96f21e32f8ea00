import { execFile } from 'node:child_process';
import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';

const exec = promisify(execFile);

export const LIBRARY_MANIFEST = JSON.stringify({ name: 'greetlib', version: '1.0.0', main: 'index.js' });
export const hello = (word: string) => `exports.hello = (n) => '${word} ' + n;\n`;
const TEST = [
  "const assert = require('node:assert');",
  "const { hello } = require('greetlib');",
  "assert.strictEqual(hello('js'), 'hi js');",
  "console.log('consumer test passed');",
  '',
].join('\n');

export type JsManager = 'npm' | 'pnpm' | 'yarn';

/** How each manager writes its lockfile without a registry (the only package is a local tarball). */
const LOCK: Record<JsManager, { file: string; argv: string[] }> = {
  npm: {
    file: 'package-lock.json',
    argv: ['npm', 'install', '--package-lock-only', '--offline', '--no-audit', '--no-fund'],
  },
  pnpm: { file: 'pnpm-lock.yaml', argv: ['pnpm', 'install', '--lockfile-only', '--offline'] },
  yarn: { file: 'yarn.lock', argv: ['yarn', 'install', '--offline', '--non-interactive'] },
};

/** The consumer's own install in the sandbox: from its lockfile, offline. */
export const FROZEN_INSTALL: Record<JsManager, string[]> = {
  npm: ['npm', 'ci', '--offline', '--no-audit', '--no-fund'],
  pnpm: ['pnpm', 'install', '--frozen-lockfile', '--offline'],
  yarn: ['yarn', 'install', '--frozen-lockfile', '--offline', '--non-interactive'],
};

/**
 * A consumer of greetlib 1.0.0 as published: the tarball `npm pack` makes of the library before
 * the change, depended on by file and locked by `manager`, so it installs without a registry. Its
 * test expects the changed greeting, so it passes only against the changed library.
 */
export async function publishedConsumer(manager: JsManager): Promise<Record<string, string | Buffer>> {
  const dir = await mkdtemp(path.join(tmpdir(), 'autodev-js-published-'));
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
    await mkdir(path.join(app, 'vendor'), { recursive: true });
    await writeFile(path.join(app, 'package.json'), manifest);
    await writeFile(path.join(app, 'vendor', 'greetlib-1.0.0.tgz'), tarball);
    const [program = '', ...args] = LOCK[manager].argv;
    // Its own HOME and caches: yarn, run as root, keeps its cache outside HOME, and a package of
    // the same name and version cached there earlier would be locked instead of this tarball.
    const home = path.join(dir, 'home');
    await exec(program, args, {
      cwd: app,
      env: { ...process.env, HOME: home, YARN_CACHE_FOLDER: path.join(home, 'yarn-cache') },
    });
    return {
      'package.json': manifest,
      [LOCK[manager].file]: await readFile(path.join(app, LOCK[manager].file), 'utf8'),
      'vendor/greetlib-1.0.0.tgz': tarball,
      'test.js': TEST,
      '.gitignore': 'node_modules/\n',
    };
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

/** greetlib 1.0.0 as `npm pack` publishes it (the greeting before the change): a tarball to vendor. */
export async function packedGreetlib(): Promise<Buffer> {
  const dir = await mkdtemp(path.join(tmpdir(), 'autodev-js-pack-'));
  try {
    await writeFile(path.join(dir, 'package.json'), LIBRARY_MANIFEST);
    await writeFile(path.join(dir, 'index.js'), hello('hello'));
    await exec('npm', ['pack', '--silent'], { cwd: dir });
    return await readFile(path.join(dir, 'greetlib-1.0.0.tgz'));
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

/** `manager`'s lockfile of `files` (a project whose packages come from vendored tarballs), made offline. */
export async function lockfileOf(
  manager: JsManager,
  files: Record<string, string | Buffer>,
): Promise<string> {
  const dir = await mkdtemp(path.join(tmpdir(), 'autodev-js-lock-'));
  try {
    for (const [file, content] of Object.entries(files)) {
      await mkdir(path.dirname(path.join(dir, file)), { recursive: true });
      await writeFile(path.join(dir, file), content);
    }
    const [program = '', ...args] = LOCK[manager].argv;
    await exec(program, args, {
      cwd: dir,
      // Its own caches, as publishedConsumer's: nothing cached earlier is locked instead.
      env: { ...process.env, HOME: path.join(dir, 'home'), YARN_CACHE_FOLDER: path.join(dir, 'yarn-cache') },
    });
    return await readFile(path.join(dir, LOCK[manager].file), 'utf8');
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}
