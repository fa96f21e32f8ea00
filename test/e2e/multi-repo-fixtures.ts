import { chmod, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { hello, LIBRARY_MANIFEST, publishedConsumer } from '../helpers/js-published.js';
import type { ScriptedReply } from '../helpers/scripted-model-server.js';

/** A test file of node's own runner, whose report autodev reads. */
export function nodeTest(name: string, body: string): string {
  return `const test = require('node:test');\nconst assert = require('node:assert');\ntest('${name}', () => {\n  ${body}\n});\n`;
}

/** greetlib as its repository holds it: `hello` greets with "hello"; its own test checks the export. */
export const NPM_LIBRARY_REPO = {
  'package.json': JSON.stringify({
    ...(JSON.parse(LIBRARY_MANIFEST) as object),
    scripts: { test: 'node --test test.js' },
  }),
  'package-lock.json': JSON.stringify({
    name: 'greetlib',
    version: '1.0.0',
    lockfileVersion: 3,
    requires: true,
    packages: { '': { name: 'greetlib', version: '1.0.0' } },
  }),
  'index.js': hello('hello'),
  'test.js':
    "const assert = require('node:assert');\nassert.strictEqual(typeof require('./index.js').hello, 'function');\n",
  '.gitignore': 'node_modules/\n',
};

/** The model's change to the library: the greeting `word`. */
export function greetingEdit(word: string): ScriptedReply {
  return {
    toolCalls: [
      {
        name: 'apply_edit',
        arguments: {
          search_replace: [{ path: 'index.js', search: hello('hello'), replace: hello(word) }],
        },
      },
    ],
  };
}

/**
 * A user of greetlib 1.0.0 as published (a vendored tarball, locked, installable offline) whose test,
 * under node's runner, expects the greeting "hi": it fails unless built against a library changed so.
 */
export async function npmConsumerRepo(): Promise<Record<string, string | Buffer>> {
  const published = await publishedConsumer('npm');
  const manifest = JSON.parse(String(published['package.json'])) as Record<string, unknown>;
  return {
    ...published,
    'package.json': JSON.stringify({ ...manifest, scripts: { test: 'node --test test.js' } }),
    'test.js': nodeTest(
      'greets with the new word',
      "assert.strictEqual(require('greetlib').hello('js'), 'hi js');",
    ),
  };
}

/** The origin refuses any push to main (a protected branch): a pull request there cannot merge. */
export async function refuseMain(origin: string): Promise<void> {
  const hook = join(origin, 'hooks', 'pre-receive');
  await writeFile(
    hook,
    '#!/bin/sh\nwhile read old new ref; do\n  if [ "$ref" = refs/heads/main ]; then echo "main is protected" >&2; exit 1; fi\ndone\nexit 0\n',
  );
  await chmod(hook, 0o755);
}

/**
 * The name a task gives a repository in the model's tools: the last segment of its address without
 * `.git`, with `-<place>` (its place among the task's repositories, from 1) when two could share it,
 * as every test's library and users do here.
 */
export function repoNameOf(origin: string, place?: number): string {
  const base = (origin.split('/').pop() ?? '').replace(/\.git$/, '');
  return place === undefined ? base : `${base}-${String(place)}`;
}

/** The model's edit of a user's own file, `welcome.js`, in the repository it names ('' searches: a new file). */
export function welcomeEdit(name: string, search: string, replace: string): ScriptedReply {
  return {
    toolCalls: [
      {
        name: 'apply_edit',
        arguments: { repo: name, search_replace: [{ path: 'welcome.js', search, replace }] },
      },
    ],
  };
}
