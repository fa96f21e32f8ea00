import { describe, expect, it } from 'vitest';
import { typesEntry } from '../npm/contents.js';
import { metadataDescription, modulePath } from './contents.js';

describe('what a published package’s archive offers', () => {
  it('reads the description of metadata 2.1 (body) and of older metadata (Description: header)', () => {
    expect(metadataDescription('Metadata-Version: 2.1\nName: a\n\n# a\n\n## 2.0.0\n- new\n')).toBe(
      '# a\n\n## 2.0.0\n- new',
    );
    expect(
      metadataDescription(
        'Metadata-Version: 1.1\nName: a\nDescription: a\n        |\n        |## 2.0.0\n        |- new\nKeywords: x\n',
      ),
    ).toBe('a\n\n## 2.0.0\n- new');
    expect(metadataDescription('Metadata-Version: 1.0\nName: a\nDescription: UNKNOWN\n')).toBeUndefined();
  });

  it('names a module by its import path in an sdist and a wheel alike, and leaves out what is no API', () => {
    expect(modulePath('tiny-1.0/src/tiny/__init__.py', true)).toBe('tiny/__init__.py');
    expect(modulePath('tiny-1.0/tiny/core.pyi', true)).toBe('tiny/core.pyi');
    expect(modulePath('tiny/__init__.py', false)).toBe('tiny/__init__.py');
    for (const [path, sdist] of [
      ['tiny-1.0/setup.py', true],
      ['tiny-1.0/tests/test_a.py', true],
      ['tiny-1.0/docs/conf.py', true],
      ['tiny-1.0.dist-info/METADATA', false],
      ['tiny-1.0.data/scripts/x.py', false],
      ['tiny/README.md', false],
    ] as const)
      expect(modulePath(path, sdist), path).toBeUndefined();
  });

  it('finds an npm package’s types entry, never outside the package', () => {
    expect(typesEntry({ types: './lib/index.d.ts' })).toBe('lib/index.d.ts');
    expect(typesEntry({ typings: 'x.d.ts', main: 'y.js' })).toBe('x.d.ts');
    expect(typesEntry({ exports: { '.': { types: './dist/a.d.ts' } } })).toBe('dist/a.d.ts');
    expect(typesEntry({ main: 'lib/main.js' })).toBe('lib/main.d.ts');
    expect(typesEntry({})).toBe('index.d.ts');
    expect(typesEntry({ types: '../../etc/passwd' })).toBeUndefined();
    expect(typesEntry({ types: '/etc/passwd' })).toBeUndefined();
  });
});
