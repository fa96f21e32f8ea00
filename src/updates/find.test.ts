import { describe, expect, it } from 'vitest';
import { classifyUpdate } from './classify.js';
import { cachedLookup, newRange } from './find.js';
import { groupUpdates } from './group.js';
import { resolveUpdateSettings, riskOf } from './settings.js';
import type { UpdateCandidate } from './types.js';

describe('classifyUpdate', () => {
  it('patch, minor and major by semver; a 0.x minor step is major, as the caret treats it', () => {
    expect(classifyUpdate('1.2.3', '1.2.4')).toBe('patch');
    expect(classifyUpdate('1.2.3', '1.3.0')).toBe('minor');
    expect(classifyUpdate('1.2.3', '2.0.0')).toBe('major');
    expect(classifyUpdate('0.2.3', '0.3.0')).toBe('major');
    expect(classifyUpdate('0.2.3', '0.2.4')).toBe('patch');
    expect(classifyUpdate('0.0.3', '0.0.4')).toBe('major');
    expect(classifyUpdate('1.2.3', '1.2.3')).toBeUndefined();
    expect(classifyUpdate('1.2.3', '1.2.2')).toBeUndefined();
  });
});

describe('newRange', () => {
  it('bump moves the range its own version, keeping its operator', () => {
    expect(newRange('^1.0.0', '1.4.2', 'bump')).toBe('^1.4.2');
    expect(newRange('~1.0.0', '1.0.7', 'bump')).toBe('~1.0.7');
    expect(newRange('1.0.0', '2.0.0', 'bump')).toBe('2.0.0');
    expect(newRange('>=1.0.0', '2.0.0', 'bump')).toBe('>=2.0.0');
    expect(newRange('1.x || 2.x', '3.0.0', 'bump')).toBeUndefined();
  });
  it('replace keeps a range that admits the version, widen adds it, pin writes it', () => {
    expect(newRange('^1.0.0', '1.4.2', 'replace')).toBe('^1.0.0');
    expect(newRange('^1.0.0', '2.0.0', 'replace')).toBe('^2.0.0');
    expect(newRange('^1.0.0', '2.0.0', 'widen')).toBe('^1.0.0 || ^2.0.0');
    expect(newRange('^1.0.0', '1.4.2', 'pin')).toBe('1.4.2');
  });
});

const candidate = (
  name: string,
  type: UpdateCandidate['type'],
  depType: UpdateCandidate['depType'] = 'prod',
) =>
  ({
    ecosystem: 'npm',
    name,
    depType,
    from: '1.0.0',
    to: '1.0.1',
    type,
    fromRange: '1.0.0',
    toRange: '1.0.1',
    publishedAt: null,
    ageDays: null,
  }) satisfies UpdateCandidate;

describe('grouping and risk', () => {
  it('the first matching rule groups; the rest go alone under a stable key; the highest type sets the tier', () => {
    const settings = resolveUpdateSettings(
      { risk: { patch: 'low' } },
      { group: [{ name: 'dev-non-major', dep_types: ['dev'], update_types: ['patch', 'minor'] }] },
    );
    const groups = groupUpdates(
      [
        candidate('@types/node', 'minor', 'dev'),
        candidate('eslint', 'patch', 'dev'),
        candidate('react', 'major'),
      ],
      settings,
    );
    expect(groups.map((g) => [g.key, g.updates.map((u) => u.name)])).toEqual([
      ['dev-non-major', ['@types/node', 'eslint']],
      ['npm-react', ['react']],
    ]);
    const mixed = groupUpdates(
      [candidate('eslint', 'patch', 'dev'), { ...candidate('pytest', 'patch', 'dev'), ecosystem: 'python' }],
      settings,
    );
    // A rule is one pull request whatever the ecosystems it matches (the task edits and locks each).
    expect(mixed.map((g) => [g.key, g.updates.map((u) => u.name)])).toEqual([
      ['dev-non-major', ['eslint', 'pytest']],
    ]);
    expect(riskOf(settings, [candidate('a', 'patch')])).toBe('low');
    expect(riskOf(settings, [candidate('a', 'patch'), candidate('b', 'minor')])).toBe('medium');
    expect(riskOf(settings, [candidate('a', 'major')])).toBe('high');
  });
});

describe('package patterns from the repository', () => {
  it('match by glob per name segment, in time bounded by the pattern and the name', () => {
    const settings = resolveUpdateSettings(
      {},
      { group: [{ name: 'types', match_packages: ['@types/*', 'eslint-plugin-?ue'] }] },
    );
    const groups = groupUpdates(
      [
        candidate('@types/node', 'minor'),
        candidate('eslint-plugin-vue', 'patch'),
        candidate('typescript', 'minor'),
      ],
      settings,
    );
    expect(groups.map((g) => [g.key, g.updates.map((u) => u.name)]).sort()).toEqual([
      ['npm-typescript', ['typescript']],
      ['types', ['@types/node', 'eslint-plugin-vue']],
    ]);
    // `.autodev.toml` is the repository's: a pattern made to backtrack (picomatch's regex for it did
    // not answer in a minute for a name of 40 characters) must answer at once, and not match.
    const hostile = resolveUpdateSettings(
      {},
      { group: [{ name: 'slow', match_packages: [`${'*a'.repeat(16)}*b`] }] },
    );
    const name = 'a'.repeat(60);
    expect(groupUpdates([candidate(name, 'patch')], hostile).map((g) => g.key)).toEqual([`npm-${name}`]);
  });
});

describe('cachedLookup', () => {
  it('asks once per package and never more than the limit at a time', async () => {
    let running = 0;
    let most = 0;
    const asked: string[] = [];
    const lookup = cachedLookup(
      {
        async versions(name) {
          asked.push(name);
          running += 1;
          most = Math.max(most, running);
          await new Promise((r) => setImmediate(r));
          running -= 1;
          return [];
        },
      },
      3,
    );
    const names = Array.from({ length: 20 }, (_, i) => `p${String(i % 10)}`);
    await Promise.all(names.map((n) => lookup.versions(n)));
    expect(asked.sort()).toEqual(Array.from({ length: 10 }, (_, i) => `p${String(i)}`).sort());
    expect(most).toBe(3);
  });
});
