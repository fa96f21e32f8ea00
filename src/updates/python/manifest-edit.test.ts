import { describe, expect, it } from 'vitest';
import { isAutodevError } from '../../errors.js';
import type { UpdateCandidate } from '../types.js';
import { editPythonManifest } from './manifest-edit.js';

const update = (over: Partial<UpdateCandidate>): UpdateCandidate => ({
  ecosystem: 'python',
  name: 'tiny-calc',
  depType: 'prod',
  from: '1.0.0',
  to: '1.0.1',
  type: 'patch',
  fromRange: '==1.0.0',
  toRange: '==1.0.1',
  publishedAt: null,
  ageDays: null,
  ...over,
});

function refusal(fn: () => unknown): string {
  try {
    fn();
  } catch (error) {
    expect(isAutodevError(error, 'UPDATE_EDIT_FAILED')).toBe(true);
    return (error as Error).message;
  }
  throw new Error('the edit should be refused');
}

describe('editPythonManifest: requirements files', () => {
  it('changes only the specifier, keeping comments, markers, extras, spacing and CRLF line ends', () => {
    const text =
      '# pinned for the app\r\n--index-url http://127.0.0.1:9/simple/\r\nTiny_Calc[fast] ==1.0.0 ; python_version >= "3.8"  # keep\r\nother>=2\r\n';
    const out = editPythonManifest(text, [update({ fromRange: '==1.0.0' })], 'requirements.txt');
    expect(out).toBe(text.replace('Tiny_Calc[fast] ==1.0.0 ;', 'Tiny_Calc[fast] ==1.0.1 ;'));
  });

  it('moves the floor of a range and keeps its upper bound', () => {
    const text = 'tiny-calc>=1.0.0, <2\n';
    const out = editPythonManifest(
      text,
      [update({ fromRange: '>=1.0.0, <2', toRange: '>=1.0.1, <2' })],
      'requirements-dev.txt',
    );
    expect(out).toBe('tiny-calc>=1.0.1, <2\n');
  });

  it('refuses a package that is not there once, and a specifier that is not one', () => {
    expect(
      refusal(() => editPythonManifest('tiny-calc==1.0.0\ntiny-calc==1.0.0\n', [update({})], 'r.txt')),
    ).toBe('r.txt: cannot find tiny-calc==1.0.0 once');
    expect(
      refusal(() =>
        editPythonManifest('tiny-calc==1.0.0\n', [update({ toRange: '==1.0.1\nevil' })], 'r.txt'),
      ),
    ).toBe('r.txt: "==1.0.1\nevil" is not a version specifier');
  });

  it('leaves hash-pinned and continued requirements alone: only a lock tool can write their hashes', () => {
    const text = 'tiny-calc==1.0.0 --hash=sha256:abc\n';
    expect(refusal(() => editPythonManifest(text, [update({})], 'requirements.txt'))).toContain(
      'cannot find',
    );
  });
});

describe('editPythonManifest: pyproject.toml', () => {
  const pyproject = [
    '[project]',
    'name = "app"',
    '# tiny-calc==1.0.0 was the first',
    'dependencies = [',
    '  "tiny-calc==1.0.0",  # the calculator',
    "  'other>=2',",
    ']',
    '',
    '[project.optional-dependencies]',
    'dev = [\'tiny-calc==1.0.0\', "pytest>=7"]',
    '',
  ].join('\n');

  it('rewrites the string in every section it is in, and nothing else (the comment stays)', () => {
    const out = editPythonManifest(pyproject, [update({})], 'pyproject.toml');
    expect(out).toBe(
      pyproject
        .replace('"tiny-calc==1.0.0",', '"tiny-calc==1.0.1",')
        .replace("['tiny-calc==1.0.0'", "['tiny-calc==1.0.1'"),
    );
  });

  it('refuses when the string also stands somewhere the edit would change more than a version', () => {
    const tricky = `${pyproject}[tool.x]\nnote = "tiny-calc==1.0.0"\n`;
    expect(refusal(() => editPythonManifest(tricky, [update({})], 'pyproject.toml'))).toBe(
      'pyproject.toml: the version edit changed more than the versions',
    );
  });
});

describe('editPythonManifest: a bare pyproject name (uv.lock holds its version)', () => {
  it('pins it where it stands (before its marker) under range_strategy pin, and leaves it bare otherwise', () => {
    const text =
      '[project]\nname = "app"\ndependencies = [\n  "tiny-calc ; python_version >= \'3.9\'",  # the adder\n  "other",\n]\n';
    const pinned = editPythonManifest(
      text,
      [update({ fromRange: '', toRange: '==1.0.1' })],
      'pyproject.toml',
    );
    expect(pinned).toBe(text.replace('"tiny-calc ;', '"tiny-calc ==1.0.1;'));
    expect(editPythonManifest(text, [update({ fromRange: '', toRange: '' })], 'pyproject.toml')).toBe(text);
  });
});
