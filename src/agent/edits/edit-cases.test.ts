import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { EDIT_CASE_KINDS, makeCases, type EditCase } from '../../../bench/edit-cases/make-cases.js';
import { createRandom } from '../../../bench/edit-cases/random.js';
import { runCases } from '../../../bench/edit-cases/run-cases.js';
import { createGitWorkspace, gitApplyUnifiedDiff } from '../__fixtures__/git-workspace.js';
import { isAutodevError } from '../../errors.js';
import { applyEdits } from './apply-edits.js';
import { parseEdits } from './parse-edits.js';

const FIXTURES = path.join(path.dirname(fileURLToPath(import.meta.url)), '__fixtures__');
const SOURCES = [
  { file: 'queue.ts.txt', language: 'typescript', path: 'src/queue.ts' },
  { file: 'inventory.py.txt', language: 'python', path: 'src/inventory.py' },
  { file: 'ring.go.txt', language: 'go', path: 'src/ring.go' },
  { file: 'stack.rs.txt', language: 'rust', path: 'src/stack.rs' },
];

/** The benchmark's cases (bench/edit-apply.bench.ts) made from small files of our own, two seeds each. */
async function fixtureCases(): Promise<EditCase[]> {
  const cases: EditCase[] = [];
  for (const source of SOURCES) {
    const content = await readFile(path.join(FIXTURES, source.file), 'utf8');
    for (const seed of [1, 2]) {
      cases.push(...makeCases({ ...source, content }, createRandom(seed), `${source.language}-${seed}`));
    }
  }
  return cases;
}

describe('edit cases of every kind, from fixtures in four languages', () => {
  it('applies every applicable edit exactly and refuses the rest, changing nothing', async () => {
    const cases = await fixtureCases();
    expect(new Set(cases.map((c) => c.kind))).toEqual(new Set(EDIT_CASE_KINDS));
    const results = await runCases(cases);
    const wrong = results.filter(
      (r) => r.outcome !== 'applied_correctly' && r.outcome !== 'refused_correctly',
    );
    expect(wrong).toEqual([]);
    expect(results.filter((r) => r.outcome === 'applied_correctly').length).toBeGreaterThan(cases.length / 2);
  }, 60_000);

  it('names the failing block and shows the closest text with line numbers when a block matches nowhere', async () => {
    const content = await readFile(path.join(FIXTURES, 'ring.go.txt'), 'utf8');
    const { dir, cleanup } = await createGitWorkspace({ 'ring.go': content });
    try {
      const reply = [
        'ring.go',
        '<<<<<<< SEARCH',
        'func (r *Ring) Pop() (int, bool) {',
        '\tif r.size == 0 {',
        '\t\treturn 0, false',
        '=======',
        'func (r *Ring) Pop() (v int, ok bool) {',
        '>>>>>>> REPLACE',
      ].join('\n');
      const message = await applyEdits(dir, parseEdits(reply), {
        applyUnifiedDiff: gitApplyUnifiedDiff,
      }).then(
        () => 'applied',
        (error: unknown) => (isAutodevError(error, 'PATCH_FAILED') ? error.message : String(error)),
      );
      expect(message).toContain('edit #1 (SEARCH/REPLACE for ring.go)');
      expect(message).toContain('Closest text in the file:');
      expect(message).toMatch(
        / {3}33 \| func \(r \*Ring\) Pop\(\) \(int, bool\) \{\n {3}34 \| \tif r\.count == 0 \{/,
      );
      expect(await readFile(path.join(dir, 'ring.go'), 'utf8')).toBe(content);
    } finally {
      await cleanup();
    }
  });

  it('names the failing hunk of a diff and shows the closest text', async () => {
    const content = await readFile(path.join(FIXTURES, 'stack.rs.txt'), 'utf8');
    const { dir, cleanup } = await createGitWorkspace({ 'stack.rs': content });
    try {
      const reply = [
        '```diff',
        '--- a/stack.rs',
        '+++ b/stack.rs',
        '@@ -34,3 +34,3 @@',
        '     pub fn len(&self) -> usize {',
        '-        self.items.length()',
        '+        self.items.len() + 0',
        '     }',
        '```',
      ].join('\n');
      const message = await applyEdits(dir, parseEdits(reply), {
        applyUnifiedDiff: gitApplyUnifiedDiff,
      }).then(
        () => 'applied',
        (error: unknown) => (isAutodevError(error, 'PATCH_FAILED') ? error.message : String(error)),
      );
      expect(message).toContain('hunk #1 (@@ -34,3 +34,3 @@)');
      expect(message).toMatch(/ {3}33 \| {5}pub fn len\(&self\) -> usize \{/);
    } finally {
      await cleanup();
    }
  });
});
