/** The repos and model replies of the end-to-end tests: a bug, its failing test, and the fix as a diff. */

export const PYTHON_BUGGY_REPO = {
  'calc.py': 'def add(a, b):\n    return a - b\n\n\ndef mul(a, b):\n    return a * b\n',
  'test_calc.py':
    'from calc import add, mul\n\n\ndef test_add():\n    assert add(2, 3) == 5\n\n\ndef test_mul():\n    assert mul(2, 3) == 6\n',
};

export const PYTHON_FIX_REPLY = [
  'The subtraction in `add` is the bug. Here is the fix:',
  '',
  '```diff',
  '--- a/calc.py',
  '+++ b/calc.py',
  '@@ -1,2 +1,2 @@',
  ' def add(a, b):',
  '-    return a - b',
  '+    return a + b',
  '```',
  '',
].join('\n');

/** The buggy repo with lint warnings that were there before any change: two unused imports. */
export const PYTHON_LINTY_REPO = {
  ...PYTHON_BUGGY_REPO,
  'calc.py': `import os\nimport sys\n\n\n${PYTHON_BUGGY_REPO['calc.py']}`,
};

/** The one-line fix of PYTHON_LINTY_REPO, which leaves its old warnings alone. */
export const PYTHON_LINTY_FIX_REPLY = PYTHON_FIX_REPLY.replace('@@ -1,2 +1,2 @@', '@@ -5,2 +5,2 @@');

/** A reply whose diff applies but does not fix the bug: the repair round gets the failing output. */
export const PYTHON_WRONG_FIX_REPLY = [
  '```diff',
  '--- a/calc.py',
  '+++ b/calc.py',
  '@@ -1,2 +1,2 @@',
  ' def add(a, b):',
  '-    return a - b',
  '+    return a * b',
  '```',
].join('\n');

export const PYTHON_REPAIR_REPLY = [
  'calc.py',
  '<<<<<<< SEARCH',
  'def add(a, b):',
  '    return a * b',
  '=======',
  'def add(a, b):',
  '    return a + b',
  '>>>>>>> REPLACE',
].join('\n');

export const TYPESCRIPT_BUGGY_REPO = {
  'package.json': JSON.stringify(
    {
      name: 'ts-fixture',
      version: '1.0.0',
      private: true,
      scripts: { test: 'tsc -p . && node --test test/' },
      devDependencies: { typescript: '5.9.3' },
    },
    null,
    2,
  ),
  'package-lock.json': JSON.stringify(
    {
      name: 'ts-fixture',
      version: '1.0.0',
      lockfileVersion: 3,
      requires: true,
      packages: {
        '': { name: 'ts-fixture', version: '1.0.0', devDependencies: { typescript: '5.9.3' } },
        'node_modules/typescript': {
          version: '5.9.3',
          integrity:
            'sha512-jl1vZzPDinLr9eUt3J/t7V6FgNEw9QjvBPdysz9KfQDD41fQrC2Y4vKQdiaUpFT4bXlb1RHhLpp8wtm6M5TgSw==',
          dev: true,
          license: 'Apache-2.0',
          bin: { tsc: 'bin/tsc', tsserver: 'bin/tsserver' },
          engines: { node: '>=14.17' },
        },
      },
    },
    null,
    2,
  ),
  '.gitignore': 'node_modules/\ndist/\n',
  'tsconfig.json': JSON.stringify(
    {
      compilerOptions: {
        target: 'ES2022',
        module: 'NodeNext',
        moduleResolution: 'NodeNext',
        strict: true,
        outDir: 'dist',
        rootDir: 'src',
        types: [],
      },
      include: ['src'],
    },
    null,
    2,
  ),
  'src/greet.ts': 'export function greet(name: string): string {\n  return `Hello, ${name}`;\n}\n',
  // The test runs on the compiled output, so the fixture needs no @types/node.
  'test/greet.test.mjs':
    "import { test } from 'node:test';\nimport assert from 'node:assert/strict';\nimport { greet } from '../dist/greet.js';\n\ntest('greets with an exclamation mark', () => {\n  assert.equal(greet('Ada'), 'Hello, Ada!');\n});\n",
};

export const TYPESCRIPT_FIX_REPLY = [
  '```diff',
  '--- a/src/greet.ts',
  '+++ b/src/greet.ts',
  '@@ -1,3 +1,3 @@',
  ' export function greet(name: string): string {',
  '-  return `Hello, ${name}`;',
  '+  return `Hello, ${name}!`;',
  ' }',
  '```',
].join('\n');

/** The task that PYTHON_BUGGY_REPO needs, at medium risk, as a user would file it (without the repo). */
export const PYTHON_BUG_TASK = {
  title: 'Fix add() in calc',
  description: 'add(2, 3) returns -1; it must return 5.',
  base_branch: 'main',
  risk_tier: 'medium',
  constraints: [],
  acceptance: ['pytest passes'],
};
