import { describe, expect, it } from 'vitest';
import { isAutodevError } from '../../errors.js';
import { parseEdits } from './parse-edits.js';

const DIFF = [
  '--- a/src/add.ts',
  '+++ b/src/add.ts',
  '@@ -1,3 +1,3 @@',
  ' export function add(a: number, b: number) {',
  '-  return a - b;',
  '+  return a + b;',
  ' }',
].join('\n');

function noEdit(reply: string): string {
  try {
    parseEdits(reply);
  } catch (error) {
    if (isAutodevError(error, 'NO_EDIT_FOUND')) return error.message;
    throw error;
  }
  throw new Error('expected NO_EDIT_FOUND');
}

describe('parseEdits', () => {
  it('reads a unified diff from a ```diff fence, naming its file', () => {
    const edits = parseEdits(
      `Here is the fix:\n\n\`\`\`diff\n${DIFF}\n\`\`\`\n\nThis corrects the operator.`,
    );
    expect(edits).toEqual([{ kind: 'unified_diff', diff: `${DIFF}\n`, files: ['src/add.ts'] }]);
  });

  it('reads a reply that is nothing but a diff', () => {
    expect(parseEdits(`diff --git a/src/add.ts b/src/add.ts\n${DIFF}\n`)).toMatchObject([
      { kind: 'unified_diff', files: ['src/add.ts'] },
    ]);
  });

  it('names a deleted file by its --- header and a new file by its +++ header', () => {
    const diff = [
      '--- a/old.txt',
      '+++ /dev/null',
      '@@ -1 +0,0 @@',
      '-gone',
      '--- /dev/null',
      '+++ b/new.txt',
      '@@ -0,0 +1 @@',
      '+here',
    ].join('\n');
    expect(parseEdits(`\`\`\`patch\n${diff}\n\`\`\``)).toMatchObject([{ files: ['old.txt', 'new.txt'] }]);
  });

  it('keeps a diff of a Markdown file whole when a longer fence wraps it', () => {
    const diff = [
      '--- a/README.md',
      '+++ b/README.md',
      '@@ -1,3 +1,3 @@',
      ' ```sh',
      '-npm test',
      '+npm run test',
      ' ```',
    ].join('\n');
    const [edit] = parseEdits(`\`\`\`\`diff\n${diff}\n\`\`\`\`\n`);
    expect(edit).toMatchObject({ kind: 'unified_diff', diff: `${diff}\n` });
  });

  it('reads SEARCH/REPLACE blocks with the path before the fence, and reuses it for following blocks', () => {
    const reply = [
      'Change both:',
      '',
      'src/add.ts',
      '```ts',
      '<<<<<<< SEARCH',
      '  return a - b;',
      '=======',
      '  return a + b;',
      '>>>>>>> REPLACE',
      '<<<<<<< SEARCH',
      'export const x = 1;',
      '=======',
      'export const x = 2;',
      '>>>>>>> REPLACE',
      '```',
    ].join('\n');
    expect(parseEdits(reply)).toEqual([
      {
        kind: 'search_replace',
        path: 'src/add.ts',
        search: '  return a - b;\n',
        replace: '  return a + b;\n',
      },
      {
        kind: 'search_replace',
        path: 'src/add.ts',
        search: 'export const x = 1;\n',
        replace: 'export const x = 2;\n',
      },
    ]);
  });

  it('reads an unfenced block, strips Markdown from the path, and an empty SEARCH as a new file', () => {
    const reply = [
      '**docs/notes.md**:',
      '<<<<<<< SEARCH',
      '=======',
      '# Notes',
      'first line',
      '>>>>>>> REPLACE',
    ].join('\n');
    expect(parseEdits(reply)).toEqual([
      { kind: 'search_replace', path: 'docs/notes.md', search: '', replace: '# Notes\nfirst line\n' },
    ]);
  });

  it('returns diffs and blocks in the order they appear', () => {
    const reply = [
      'a.txt',
      '<<<<<<< SEARCH',
      'x',
      '=======',
      'y',
      '>>>>>>> REPLACE',
      '',
      '```diff',
      DIFF,
      '```',
    ].join('\n');
    expect(parseEdits(reply).map((edit) => edit.kind)).toEqual(['search_replace', 'unified_diff']);
  });

  it('ignores code fences that are not edits', () => {
    expect(parseEdits(`Run:\n\`\`\`sh\nnpm test\n\`\`\`\n\`\`\`diff\n${DIFF}\n\`\`\``)).toHaveLength(1);
  });

  it('fails with NO_EDIT_FOUND explaining both formats when the reply holds no edit', () => {
    const message = noEdit('I think the bug is in add.ts, you should flip the operator.');
    expect(message).toContain('```diff');
    expect(message).toContain('<<<<<<< SEARCH');
  });

  it('fails with NO_EDIT_FOUND on a block that is never closed, naming its line', () => {
    expect(noEdit(['a.txt', '<<<<<<< SEARCH', 'x', '=======', 'y'].join('\n'))).toContain('line 2');
  });

  it('fails with NO_EDIT_FOUND on a block without a path', () => {
    expect(
      noEdit(['Here:', '', '<<<<<<< SEARCH', 'x', '=======', 'y', '>>>>>>> REPLACE'].join('\n')),
    ).toContain('no file path');
  });

  it('fails with NO_EDIT_FOUND on a ```diff fence without file headers', () => {
    expect(noEdit('```diff\n@@ -1 +1 @@\n-a\n+b\n```')).toContain('--- a/path');
  });
});
