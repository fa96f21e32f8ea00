import { describe, expect, it } from 'vitest';
import { checkDependencyConstraints, isNoNewDependenciesConstraint } from './no-new-dependencies.js';

describe('"no new dependencies" constraints', () => {
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
    expect(isNoNewDependenciesConstraint(text)).toBe(true);
  });

  it.each(['Do not modify public API signatures', 'Keep the dependencies sorted', 'No new modules in src/'])(
    'leaves %j to others',
    (text) => {
      expect(isNoNewDependenciesConstraint(text)).toBe(false);
    },
  );

  it('is violated by any added dependency and names them; other constraints are not its own', () => {
    const constraints = ['Do not modify public API signatures', 'No new external dependencies'];
    expect(checkDependencyConstraints(constraints, ['requests'])).toEqual([
      {
        text: 'No new external dependencies',
        kind: 'no_new_dependencies',
        violated: true,
        details: ['requests'],
      },
    ]);
    expect(checkDependencyConstraints(constraints, [])).toEqual([
      { text: 'No new external dependencies', kind: 'no_new_dependencies', violated: false, details: [] },
    ]);
  });
});
