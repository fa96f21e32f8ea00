import { mkdir, readFile, symlink, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { suiteRandom } from '../../../test/helpers/seeded-random.js';
import { isAutodevError } from '../../errors.js';
import { createGitWorkspace, gitApplyUnifiedDiff } from '../__fixtures__/git-workspace.js';
import type { Edit } from '../types.js';
import { applyEdits } from './apply-edits.js';
import { parseEdits } from './parse-edits.js';

const FIXTURES = path.join(path.dirname(fileURLToPath(import.meta.url)), '__fixtures__');
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

// Reported from a Rust repository: a SEARCH of one indented line followed by a newline was "not
// found", while the closest text listed that very line. The newline was read as an empty line that
// had to follow it in the file.
describe('a SEARCH of one indented line', () => {
  const random = suiteRandom();
  const RUST = [
    'pub fn greet(n: u32) -> String {',
    '    format!("hello {n}")',
    '}',
    '',
    'pub fn total(xs: &[u32]) -> u32 {',
    '    let mut sum = 0;',
    '    for x in xs {',
    '        sum += x;',
    '    }',
    '    sum',
    '}',
    '',
  ].join('\n');
  const LINE = '    format!("hello {n}")';
  const NEW = '    format!("hi {n}")';
  let dir: string;
  let cleanup: () => Promise<void>;
  beforeEach(async () => {
    ({ dir, cleanup } = await createGitWorkspace({ 'src/lib.rs': RUST }));
  });
  afterEach(() => cleanup());

  const rewrite = async (content: string, search: string, replace: string): Promise<string> => {
    await writeFile(path.join(dir, 'src/lib.rs'), content);
    await applyEdits(dir, [sr('src/lib.rs', search, replace)], deps);
    return readFile(path.join(dir, 'src/lib.rs'), 'utf8');
  };
  const failure = async (search: string): Promise<string> =>
    applyEdits(dir, [sr('src/lib.rs', search, 'x')], deps).then(
      () => 'applied',
      (error: unknown) => (isAutodevError(error, 'PATCH_FAILED') ? error.message : String(error)),
    );

  it.each([
    ['without a newline', LINE, NEW],
    // These three failed before blockLines: the newline made a second, empty line to match.
    ['followed by a newline', `${LINE}\n`, `${NEW}\n`],
    ['followed by a newline, the REPLACE without one', `${LINE}\n`, NEW],
    ['with CRLF line ends in the edit', `${LINE}\r\n`, `${NEW}\r\n`],
  ])('is found %s, and only that line changes', async (_name, search, replace) => {
    expect(await rewrite(RUST, search, replace)).toBe(RUST.replace(LINE, NEW));
  });

  it('is found with a newline in a CRLF file, whose line ends all stay', async () => {
    const crlf = RUST.replace(/\n/g, '\r\n');
    expect(await rewrite(crlf, `${LINE}\n`, `${NEW}\n`)).toBe(crlf.replace(LINE, NEW));
  });

  it('is found with a newline as the last line of a file without a final newline, which keeps none', async () => {
    const open = `pub fn greet(n: u32) -> String {\n${LINE}`;
    expect(await rewrite(open, `${LINE}\n`, `${NEW}\n`)).toBe(`pub fn greet(n: u32) -> String {\n${NEW}`);
  });

  it('is found with spaces in the edit and a tab in the file, the replacement taking the tab', async () => {
    const tabbed = RUST.replace(LINE, '\tformat!("hello {n}")');
    expect(await rewrite(tabbed, `${LINE}\n`, `${NEW}\n`)).toBe(RUST.replace(LINE, '\tformat!("hi {n}")'));
  });

  it("takes the file's kind of indentation for a block written with the other kind, depth kept", async () => {
    const go = 'func (r *Ring) Len() int {\n\tif r == nil {\n\t\treturn 0\n\t}\n\treturn r.count\n}\n';
    const spaces = await rewrite(
      go,
      '    if r == nil {\n        return 0\n    }\n',
      '    if r == nil {\n        r.count = 0\n        return 0\n    }\n',
    );
    expect(spaces).toBe(go.replace('\t\treturn 0\n', '\t\tr.count = 0\n\t\treturn 0\n'));
    // The reverse: tabs written into a file indented with four spaces.
    const rust = RUST.replace(LINE, '    let s = format!("hello {n}");\n    s');
    const tabs = await rewrite(
      rust,
      '\tlet s = format!("hello {n}");\n',
      '\tlet s = {\n\t\tformat!("hi {n}")\n\t};\n',
    );
    expect(tabs).toBe(
      rust.replace('    let s = format!("hello {n}");', '    let s = {\n        format!("hi {n}")\n    };'),
    );
  });

  it("takes the file's kind of indentation when the block starts with an unindented line", async () => {
    const go =
      'func (r *Ring) Len() int {\n\tif r == nil {\n\t\treturn 0 // none\n\t}\n\treturn r.count\n}\n';
    const search = 'func (r *Ring) Len() int {\n    if r == nil {\n        return 0 // none\n';
    const replace =
      'func (r *Ring) Len() int {\n    if r == nil {\n        r.count = 0\n          // aligned\n';
    expect(await rewrite(go, search, replace)).toBe(
      go.replace('\t\treturn 0 // none\n', '\t\tr.count = 0\n\t\t  // aligned\n'),
    );
  });

  it('is found when it ends a block, and a block of lines followed by a newline is found too', async () => {
    const loopEnd = '        sum += x;\n    }\n';
    expect(await rewrite(RUST, loopEnd, '        sum += 2 * x;\n    }\n')).toBe(
      RUST.replace('sum += x;', 'sum += 2 * x;'),
    );
    const start = '    let mut sum = 0;\n    for x in xs {\n';
    expect(await rewrite(RUST, start, '    let mut sum = 1;\n    for x in xs {\n')).toBe(
      RUST.replace('sum = 0', 'sum = 1'),
    );
  });

  it('writes $, { and } of the REPLACE as they are (no replacement patterns)', async () => {
    const dollars = '    format!("{n} costs $&{{$1}}$$ {{}}")';
    expect(await rewrite(RUST, `${LINE}\n`, `${dollars}\n`)).toBe(RUST.split(LINE).join(dollars));
  });

  it('deletes the line for an empty REPLACE, and leaves a blank line for a REPLACE of one newline', async () => {
    expect(await rewrite(RUST, `${LINE}\n`, '')).toBe(RUST.replace(`${LINE}\n`, ''));
    expect(await rewrite(RUST, `${LINE}\n`, '\n')).toBe(RUST.replace(LINE, ''));
  });

  it('still refuses a line that is there twice, with or without its newline, and changes nothing', async () => {
    for (const search of ['}', '}\n', '}\r\n']) {
      expect(await failure(search)).toContain('matches 2 places (lines 3, 11)');
    }
    // A SEARCH ending in a blank line still needs that blank line: line 3 has one after it, 11 not.
    expect(await rewrite(RUST, '}\n\n', '};\n\n')).toBe(RUST.replace('}\n\n', '};\n\n'));
    expect(await failure('    sum\n\n')).toContain('not found');
    expect(await readFile(path.join(dir, 'src/lib.rs'), 'utf8')).toBe(RUST.replace('}\n\n', '};\n\n'));
  });

  it('is reported already applied when sent again with its newline, changing nothing more', async () => {
    expect(await rewrite(RUST, `${LINE}\n`, `${NEW}\n`)).toBe(RUST.replace(LINE, NEW));
    const again = await applyEdits(dir, [sr('src/lib.rs', `${LINE}\n`, `${NEW}\n`)], deps).then(
      () => 'applied',
      (error: unknown) => (isAutodevError(error, 'EDIT_ALREADY_APPLIED') ? 'already' : String(error)),
    );
    expect(again).toBe('already');
    expect(await readFile(path.join(dir, 'src/lib.rs'), 'utf8')).toBe(RUST.replace(LINE, NEW));
  });

  it("is found in a reply's block, where a blank line before ======= is a line to match", async () => {
    const fenced = [
      'src/lib.rs',
      '```rust',
      '<<<<<<< SEARCH',
      LINE,
      '=======',
      NEW,
      '>>>>>>> REPLACE',
      '```',
    ];
    await applyEdits(dir, parseEdits(fenced.join('\n')), deps);
    expect(await readFile(path.join(dir, 'src/lib.rs'), 'utf8')).toBe(RUST.replace(LINE, NEW));
    // "}" and a blank line is there once (line 3; the last "}" has none after it): the blank goes.
    const blank = ['src/lib.rs', '<<<<<<< SEARCH', '}', '', '=======', '}', '>>>>>>> REPLACE'];
    await applyEdits(dir, parseEdits(blank.join('\n')), deps);
    expect(await readFile(path.join(dir, 'src/lib.rs'), 'utf8')).toBe(
      RUST.replace(LINE, NEW).replace('}\n\n', '}\n'),
    );
  });

  it('is found for any line of the file that is there once, however the edit ends its lines', async () => {
    const source = await readFile(path.join(FIXTURES, 'stack.rs.txt'), 'utf8');
    const lines = source.split('\n');
    const once = lines.filter(
      (line) => line.trim() !== '' && lines.indexOf(line) === lines.lastIndexOf(line),
    );
    for (let round = 0; round < 40; round += 1) {
      const line = random.pick(once);
      const changed = `${line} // ${random.from('abcdefxyz{}$&', 6)}`;
      const end = random.pick(['', '\n', '\r\n']);
      const fileEnds = random.pick(['\n', '\r\n']);
      const content = source.replace(/\n/g, fileEnds);
      // Line by line: the line may also be part of a longer one ("    }" in "        }").
      const expected = lines.map((l) => (l === line ? changed : l)).join(fileEnds);
      expect(await rewrite(content, `${line}${end}`, `${changed}${end}`)).toBe(expected);
    }
  });
});

describe('the closest text shown when a SEARCH is not found', () => {
  it('finds the lines a block has when it runs past the end of the file', async () => {
    const { dir, cleanup } = await createGitWorkspace({ 'a.txt': 'one\ntwo\nthree' });
    try {
      const message = await applyEdits(dir, [sr('a.txt', 'three\nfour', 'x')], deps).then(
        () => 'applied',
        (error: unknown) => (isAutodevError(error, 'PATCH_FAILED') ? error.message : String(error)),
      );
      // Before, only windows inside the file were scored: "(no line of it is in the file)".
      expect(message).toContain('    2 | two\n    3 | three');
      const before = await applyEdits(dir, [sr('a.txt', 'zero\none', 'x')], deps).then(
        () => 'applied',
        (error: unknown) => (isAutodevError(error, 'PATCH_FAILED') ? error.message : String(error)),
      );
      expect(before).toContain('    1 | one\n    2 | two');
    } finally {
      await cleanup();
    }
  });
});
