import { describe, expect, it } from 'vitest';
import { isAutodevError } from '../../errors.js';
import {
  declaredGoDependencies,
  goRetractions,
  isRetracted,
  lockedGoVersions,
  pathMajors,
} from './declared.js';

const GO_MOD = `module example.com/app

go 1.21

require example.com/single v1.4.0 // a comment, not indirect

require (
\tgithub.com/Azure/azure-sdk v0.9.1
\texample.com/lib/v2 v2.3.0
\texample.com/transitive v1.0.0 // indirect
\texample.com/pseudo v0.0.0-20240101120000-abcdefabcdef
\texample.com/pre v1.2.0-rc.1
\texample.com/legacy v3.0.0+incompatible
\texample.com/forked v1.1.0
\tgopkg.in/yaml.v3 v3.0.1
)

replace example.com/forked => ../forked
`;

describe('declaredGoDependencies', () => {
  it('lists the direct requirements at releases; indirect, replaced, pseudo, pre-release and +incompatible ones are left out', () => {
    expect(declaredGoDependencies(GO_MOD).map((d) => `${d.name}@${d.current}:${d.depType}`)).toEqual([
      'example.com/single@v1.4.0:prod',
      'github.com/Azure/azure-sdk@v0.9.1:prod',
      'example.com/lib/v2@v2.3.0:prod',
      'gopkg.in/yaml.v3@v3.0.1:prod',
    ]);
  });

  it('reads a go.mod without requirements as none, and refuses one go cannot read, naming the file', () => {
    expect(declaredGoDependencies('module example.com/app\n\ngo 1.22\n')).toEqual([]);
    try {
      declaredGoDependencies('module x\nrequire (\n\texample.com/a v1.0.0\n');
      expect.unreachable('an open block is no go.mod');
    } catch (error) {
      expect(isAutodevError(error, 'VALIDATION_FAILED')).toBe(true);
      expect((error as Error).message).toMatch(/^go\.mod: /);
    }
  });

  it('knows the major a module path holds: /vN and gopkg.in .vN, else v0 and v1', () => {
    expect(pathMajors('example.com/m')).toEqual([0, 1]);
    expect(pathMajors('example.com/m/v3')).toEqual([3]);
    expect(pathMajors('example.com/v2stuff')).toEqual([0, 1]);
    expect(pathMajors('gopkg.in/yaml.v2')).toEqual([2]);
  });
});

describe('go.mod retractions and go.sum versions', () => {
  it('reads single and interval retractions, in a block or alone', () => {
    const retractions = goRetractions(
      'module m\n\nretract v1.0.3 // broken\nretract (\n\t[v1.1.0, v1.1.2]\n\tv1.2.0\n)\n',
    );
    expect(retractions).toEqual([
      { low: 'v1.0.3', high: 'v1.0.3' },
      { low: 'v1.1.0', high: 'v1.1.2' },
      { low: 'v1.2.0', high: 'v1.2.0' },
    ]);
    expect(
      ['v1.0.2', 'v1.0.3', 'v1.1.1', 'v1.1.3', 'v1.2.0'].map((v) => isRetracted(v, retractions)),
    ).toEqual([false, true, true, false, true]);
  });

  it("takes go.sum's highest version of each module, go.mod-only lines included", () => {
    const sum = [
      'example.com/a v1.0.0 h1:aaa=',
      'example.com/a v1.0.0/go.mod h1:bbb=',
      'example.com/a v1.0.10 h1:ccc=',
      'example.com/a v1.0.9/go.mod h1:ddd=',
      'example.com/b v2.0.0/go.mod h1:eee=',
      '',
    ].join('\n');
    expect(lockedGoVersions(sum, ['example.com/a', 'example.com/b', 'example.com/c'])).toEqual(
      new Map([
        ['example.com/a', 'v1.0.10'],
        ['example.com/b', 'v2.0.0'],
      ]),
    );
  });
});
