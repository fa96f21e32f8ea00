import { describe, expect, it } from 'vitest';
import { classifyConstraint, describeConstraintCheck } from './constraints.js';

describe('classifyConstraint', () => {
  it.each([
    'Do not modify public API signatures',
    'do NOT change the public API.',
    "Don't break exported functions",
    'Keep the public API unchanged',
    'The public API must remain stable',
    'No public API changes',
    'No breaking changes to the public interface',
  ])('%s → no_public_api_change', (text) => {
    expect(classifyConstraint(text)).toBe('no_public_api_change');
  });

  it.each([
    'No new external dependencies',
    'no new dependencies',
    'Do not add dependencies',
    'Don’t add any new packages',
    'Avoid adding third-party libraries',
    'Without new crates',
  ])('%s → no_new_dependencies', (text) => {
    expect(classifyConstraint(text)).toBe('no_new_dependencies');
  });

  it.each([
    'Add a dependency on serde',
    'Update the API docs',
    'Do not change tests',
    'Use the public API',
    'Keep it simple',
    'No new files',
    '',
  ])('%s → unchecked (asks for no check autodev has, or for the opposite)', (text) => {
    expect(classifyConstraint(text)).toBe('unchecked');
  });

  it('a 2000-character constraint of repeated words classifies quickly (no regex blow-up)', () => {
    const started = performance.now();
    expect(classifyConstraint('do not '.repeat(285))).toBe('unchecked');
    expect(classifyConstraint(`${'no '.repeat(600)}new`)).toBe('unchecked');
    expect(performance.now() - started).toBeLessThan(200);
  });
});

describe('describeConstraintCheck (pull request body lines)', () => {
  it('marks each constraint checked, violated or unchecked', () => {
    expect(describeConstraintCheck({ text: 'Keep it simple', kind: 'unchecked' })).toMatch(/unchecked/);
    expect(describeConstraintCheck({ text: 'No new deps', kind: 'no_new_dependencies' })).toMatch(
      /not checked/,
    );
    expect(
      describeConstraintCheck({ text: 'Keep API', kind: 'no_public_api_change', violated: false }),
    ).toMatch(/checked, holds/);
    expect(
      describeConstraintCheck({
        text: 'Keep API',
        kind: 'no_public_api_change',
        violated: true,
        details: ['a.ts: x removed'],
      }),
    ).toBe('Keep API — VIOLATED (no_public_api_change)\n  - a.ts: x removed');
  });
});

describe('"no new dependencies" in the phrasings people write', () => {
  it.each([
    'No new external dependencies',
    'no new dependencies',
    'NO NEW DEPENDENCIES.',
    'Do not add dependencies',
    "Don't add any new third-party packages",
    'Must not introduce new libraries',
    'Fix it without adding dependencies',
    'no external dependencies, please',
  ])('recognises %j', (text) => {
    expect(classifyConstraint(text)).toBe('no_new_dependencies');
  });
});
