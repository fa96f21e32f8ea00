import { describe, expect, it } from 'vitest';
import { createApiSurface } from '../../languages/api-surface/index.js';
import { suiteRandom } from '../../../test/helpers/seeded-random.js';
import { notesKey } from '../release-notes/render.js';
import type { UpdateCandidate } from '../types.js';
import { dependencyApiDiff, type DependencyApiDiff } from './diff.js';
import { apiDiffSection, MAX_API_DIFF_PER_PACKAGE, MAX_API_DIFF_TOTAL } from './render.js';

const surface = createApiSurface({ env: { PATH: process.env.PATH ?? '/usr/bin:/bin' } });

const update = (name: string, ecosystem: UpdateCandidate['ecosystem'] = 'npm'): UpdateCandidate => ({
  ecosystem,
  name,
  depType: 'prod',
  from: '1.0.0',
  to: '2.0.0',
  type: 'major',
  fromRange: '^1.0.0',
  toRange: '^2.0.0',
  publishedAt: null,
  ageDays: null,
});

describe('a dependency’s public-API diff', () => {
  const random = suiteRandom();

  it('names the removed, changed and added exports of a .d.ts', async () => {
    const before = new Map([
      [
        'index.d.ts',
        'export declare function add(a: number, b: number): number;\nexport declare function neg(a: number): number;\nexport declare const version: string;\n',
      ],
    ]);
    const after = new Map([
      [
        'index.d.ts',
        'export declare function sum(a: number, b: number): number;\nexport declare function neg(a: bigint): bigint;\nexport declare const version: string;\n',
      ],
    ]);
    const diff = await dependencyApiDiff(surface, before, after);
    expect(diff.removed.map((c) => c.name)).toEqual(['add']);
    expect(diff.changed.map((c) => c.name)).toEqual(['neg']);
    expect(diff.added.map((c) => c.name)).toEqual(['sum']);
    expect(diff.unread).toEqual([]);
    const section = apiDiffSection([update('tiny')], new Map([[notesKey(update('tiny')), diff]])) ?? '';
    expect(section).toContain('### Public API changes');
    expect(section).toMatch(/^- index\.d\.ts: .*add\(a: number, b: number\)/m);
    expect(section).toMatch(/^\+ index\.d\.ts: .*sum\(a: number, b: number\)/m);
    expect(section).toMatch(
      /^- index\.d\.ts: .*neg\(a: number\)[\s\S]*^\+ index\.d\.ts: .*neg\(a: bigint\)/m,
    );
  });

  it('reads Python modules with the language’s reader: a module removed and a signature changed', async () => {
    const before = new Map([
      ['tiny/__init__.py', 'def add(a, b):\n    return a + b\n'],
      ['tiny/extra.py', 'def helper():\n    pass\n'],
    ]);
    const after = new Map([['tiny/__init__.py', 'def add(a, b, *, strict=False):\n    return a + b\n']]);
    const diff = await dependencyApiDiff(surface, before, after);
    expect(diff.changed.map((c) => `${c.file}:${c.name}`)).toEqual(['tiny/__init__.py:add']);
    expect(diff.removed.map((c) => `${c.file}:${c.name}`)).toEqual(['tiny/extra.py:helper']);
    expect(diff.added).toEqual([]);
  });

  it('keeps hostile signatures inside a fence they cannot close, on one line each, within its bounds', () => {
    const hostile = (i: number): DependencyApiDiff['removed'][number] => ({
      file: 'index.d.ts',
      name: `n${String(i)}`,
      kind: 'function',
      change: 'removed',
      before: `${random.from('ab`\n\u202e<@#1', 40 + random.int(400))} ghp_abcdefghijklmnopqrstuvwxyz0123456789`,
    });
    const updates = Array.from({ length: 6 }, (_, i) => update(`pkg-${String(i)}`));
    const diffs = new Map(
      updates.map((u) => [
        notesKey(u),
        { removed: Array.from({ length: 200 }, (_, i) => hostile(i)), changed: [], added: [], unread: [] },
      ]),
    );
    const section = apiDiffSection(updates, diffs) ?? '';
    expect(section).not.toContain('\u202e');
    expect(section).not.toContain('ghp_abc');
    const blocks = [...section.matchAll(/^(`{3,})diff\n([\s\S]*?)^\1$/gm)];
    expect(blocks.length).toBeGreaterThan(0);
    for (const [, fence, body] of blocks) {
      for (const line of (body ?? '').trimEnd().split('\n')) {
        expect(line).toMatch(/^(- |… )/);
        expect(line.includes(fence ?? '```')).toBe(false);
      }
      expect((body ?? '').length).toBeLessThanOrEqual(MAX_API_DIFF_PER_PACKAGE + 100);
    }
    const shown = blocks.reduce((n, [, , body]) => n + (body ?? '').length, 0);
    expect(shown).toBeLessThanOrEqual(MAX_API_DIFF_TOTAL + 600);
    expect(section).toContain('public API diff left out');
  });

  it('says nothing when no package’s API was compared, and "not compared" for those left out', () => {
    expect(apiDiffSection([update('a')], new Map())).toBeUndefined();
    const empty: DependencyApiDiff = { removed: [], changed: [], added: [], unread: ['x.py'] };
    const section = apiDiffSection([update('a'), update('b')], new Map([[notesKey(update('a')), empty]]));
    expect(section).toContain('`a` 1.0.0 → 2.0.0: no export removed, changed or added (1 file(s) not read)');
    expect(section).toContain('`b` 1.0.0 → 2.0.0: public API not compared');
  });
});
