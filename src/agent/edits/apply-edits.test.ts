import { mkdir, readFile, symlink, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { isAutodevError } from '../../errors.js';
import { createGitWorkspace, gitApplyUnifiedDiff } from '../__fixtures__/git-workspace.js';
import type { Edit } from '../types.js';
import { applyEdits } from './apply-edits.js';

const deps = { applyUnifiedDiff: gitApplyUnifiedDiff };
const sr = (file: string, search: string, replace: string): Edit => ({
  kind: 'search_replace',
  path: file,
  search,
  replace,
});

describe('applyEdits', () => {
  let dir: string;
  let cleanup: () => Promise<void>;
  beforeEach(async () => {
    ({ dir, cleanup } = await createGitWorkspace({
      'src/add.ts': 'export function add(a: number, b: number) {\n  return a - b;\n}\n',
      'src/twice.ts': 'const a = 1;\nconst a = 1;\n',
      'src/nested.py': 'class A:\n    def f(self):\n        return 1   \n',
    }));
  });
  afterEach(() => cleanup());

  const read = (file: string) => readFile(path.join(dir, file), 'utf8');
  const failure = async (edits: Edit[]): Promise<string> => {
    try {
      await applyEdits(dir, edits, deps);
    } catch (error) {
      if (isAutodevError(error, 'PATCH_FAILED')) return error.message;
      throw error;
    }
    throw new Error('expected PATCH_FAILED');
  };

  it('replaces an exact match and reports the file', async () => {
    expect(await applyEdits(dir, [sr('src/add.ts', '  return a - b;', '  return a + b;')], deps)).toEqual([
      'src/add.ts',
    ]);
    expect(await read('src/add.ts')).toBe(
      'export function add(a: number, b: number) {\n  return a + b;\n}\n',
    );
  });

  it('forgives trailing whitespace, and re-indents the replacement when only indentation differs', async () => {
    await applyEdits(
      dir,
      [sr('src/nested.py', 'def f(self):\n    return 1', 'def f(self):\n    return 2')],
      deps,
    );
    expect(await read('src/nested.py')).toBe('class A:\n    def f(self):\n        return 2\n');
  });

  it('leaves the lines an edit does not change byte-identical, however the model copied their whitespace', async () => {
    // Trailing spaces and an indented blank line the model's SEARCH/REPLACE copied without them.
    const source = 'function f() {\n  const a = 1;  \n    \n  return a;\n}\n';
    await writeFile(path.join(dir, 'src/f.ts'), source);
    await applyEdits(
      dir,
      [sr('src/f.ts', '  const a = 1;\n\n  return a;', '  const a = 1;\n\n  // one more\n  return a + 1;')],
      deps,
    );
    expect(await read('src/f.ts')).toBe(
      'function f() {\n  const a = 1;  \n    \n  // one more\n  return a + 1;\n}\n',
    );

    // The same through a diff whose context lines lost the file's whitespace, in a file of mixed
    // line endings: only the changed line is rewritten, every other byte stays.
    const mixed = 'one\r\ntwo  \nthree\nfour\r\n';
    await writeFile(path.join(dir, 'src/mixed.txt'), mixed);
    const diff = '--- a/src/mixed.txt\n+++ b/src/mixed.txt\n@@ -2,2 +2,2 @@\n two\n-three\n+THREE\n';
    await applyEdits(dir, [{ kind: 'unified_diff', diff, files: ['src/mixed.txt'] }], deps);
    expect(await read('src/mixed.txt')).toBe('one\r\ntwo  \nTHREE\nfour\r\n');

    // And a SEARCH/REPLACE in it: the line endings of the lines around the edit are kept.
    await applyEdits(dir, [sr('src/mixed.txt', 'four', 'FOUR')], deps);
    expect(await read('src/mixed.txt')).toBe('one\r\ntwo  \nTHREE\nFOUR\r\n');
  });

  it('creates a file from an empty SEARCH and appends to an existing one', async () => {
    await applyEdits(dir, [sr('docs/new.md', '', '# New'), sr('docs/new.md', '', 'more')], deps);
    expect(await read('docs/new.md')).toBe('# New\nmore\n');
  });

  it('refuses an ambiguous SEARCH, naming the file, the block and the lines', async () => {
    const message = await failure([sr('src/twice.ts', 'const a = 1;', 'const a = 2;')]);
    expect(message).toContain('edit #1');
    expect(message).toContain('src/twice.ts');
    expect(message).toContain('lines 1, 2');
  });

  it('refuses a SEARCH that is not there, writing none of the run', async () => {
    const message = await failure([
      sr('src/add.ts', '  return a - b;', '  return a + b;'),
      sr('src/add.ts', 'nope', 'x'),
    ]);
    expect(message).toContain('edit #2');
    expect(message).toContain('not found');
    expect(await read('src/add.ts')).toContain('a - b');
  });

  it.each([['../outside.txt'], ['/etc/passwd'], ['src/../../x'], ['.git/hooks/pre-commit']])(
    'refuses the path %s',
    async (file) => {
      expect(await failure([sr(file, '', 'x')])).toContain('refused path');
    },
  );

  it('refuses to write through a symbolic link', async () => {
    await mkdir(path.join(dir, 'elsewhere'));
    await symlink(path.join(dir, 'elsewhere'), path.join(dir, 'link'));
    expect(await failure([sr('link/file.txt', '', 'x')])).toContain('symbolic link');
  });

  it('applies unified diffs through the injected git apply, in order with blocks', async () => {
    const diff = [
      '--- a/src/add.ts',
      '+++ b/src/add.ts',
      '@@ -1,3 +1,3 @@',
      ' export function add(a: number, b: number) {',
      '-  return a - b;',
      '+  return a + b;',
      ' }',
      '',
    ].join('\n');
    const touched = await applyEdits(
      dir,
      [
        { kind: 'unified_diff', diff, files: ['src/add.ts'] },
        sr('src/add.ts', '  return a + b;', '  return b + a;'),
      ],
      deps,
    );
    expect(touched).toEqual(['src/add.ts']);
    expect(await read('src/add.ts')).toContain('return b + a;');
  });

  it('passes on PATCH_FAILED when a diff does not apply', async () => {
    const diff = ['--- a/src/add.ts', '+++ b/src/add.ts', '@@ -1 +1 @@', '-no such line', '+x', ''].join(
      '\n',
    );
    expect(await failure([{ kind: 'unified_diff', diff, files: ['src/add.ts'] }])).toContain('git apply');
  });

  it('keeps CRLF line endings of a file', async () => {
    await writeFile(path.join(dir, 'win.txt'), 'one\r\ntwo\r\n');
    await applyEdits(dir, [sr('win.txt', 'two', 'three')], deps);
    expect(await read('win.txt')).toBe('one\r\nthree\r\n');
  });
});
