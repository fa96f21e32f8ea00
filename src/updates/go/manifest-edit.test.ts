import { describe, expect, it } from 'vitest';
import { isAutodevError } from '../../errors.js';
import type { UpdateCandidate } from '../types.js';
import { editGoMod } from './manifest-edit.js';

const update = (over: Partial<UpdateCandidate>): UpdateCandidate => ({
  ecosystem: 'go',
  name: 'example.com/lib',
  depType: 'prod',
  from: 'v1.2.0',
  to: 'v1.2.1',
  type: 'patch',
  fromRange: 'v1.2.0',
  toRange: 'v1.2.1',
  publishedAt: null,
  ageDays: null,
  ...over,
});

const GO_MOD = `module example.com/app

go 1.21

// the logger we trust
require example.com/log v0.3.0

require (
\texample.com/lib     v1.2.0 // pinned for the API
\texample.com/lib/v2  v2.0.0
\texample.com/other   v1.2.0 // indirect

\t"example.com/quoted" v1.0.0
)
`;

describe('editGoMod', () => {
  it('changes only the version texts, keeping alignment, comments, blank lines and the other majors', () => {
    const out = editGoMod(GO_MOD, [
      update({}),
      update({ name: 'example.com/log', from: 'v0.3.0', to: 'v0.4.0', type: 'major' }),
      update({ name: 'example.com/quoted', from: 'v1.0.0', to: 'v1.0.1' }),
    ]);
    expect(out).toBe(
      GO_MOD.replace('example.com/lib     v1.2.0', 'example.com/lib     v1.2.1')
        .replace('require example.com/log v0.3.0', 'require example.com/log v0.4.0')
        .replace('"example.com/quoted" v1.0.0', '"example.com/quoted" v1.0.1'),
    );
  });

  it('refuses, naming the module, when the requirement is not there at that version', () => {
    try {
      editGoMod(GO_MOD, [update({ from: 'v1.1.0' })]);
      expect.unreachable('the edit should be refused');
    } catch (error) {
      expect(isAutodevError(error, 'UPDATE_EDIT_FAILED')).toBe(true);
      expect((error as Error).message).toBe('go.mod: cannot find "require example.com/lib v1.1.0" once');
    }
  });

  it('writes only a release version: a registry answer carrying more text is refused', () => {
    for (const to of ['v1.2.1\nreplace example.com/lib => ../evil', 'v1.2.1 // x', 'latest']) {
      expect(() => editGoMod(GO_MOD, [update({ to })])).toThrow(/is not a release version/);
    }
  });
});
