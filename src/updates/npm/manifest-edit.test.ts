import { describe, expect, it } from 'vitest';
import { isAutodevError } from '../../errors.js';
import type { UpdateCandidate } from '../types.js';
import { editNpmManifest } from './manifest-edit.js';

const update = (over: Partial<UpdateCandidate>): UpdateCandidate => ({
  ecosystem: 'npm',
  name: 'left-pad',
  depType: 'prod',
  from: '1.0.0',
  to: '1.0.1',
  type: 'patch',
  fromRange: '^1.0.0',
  toRange: '^1.0.1',
  publishedAt: null,
  ageDays: null,
  ...over,
});

describe('editNpmManifest', () => {
  it('changes only the version text, keeping tabs, key order, spacing and the trailing newline', () => {
    const manifest =
      '{\n\t"name": "app",\n\t"scripts": { "left-pad": "^1.0.0" },\n\t"dependencies": {\n\t\t"zeta": "2.0.0",\n\t\t"left-pad" :  "^1.0.0"\n\t},\n\t"devDependencies": {"left-pad": "^1.0.0"}\n}\n';
    const out = editNpmManifest(manifest, [update({})]);
    expect(out).toBe(manifest.replace('"left-pad" :  "^1.0.0"', '"left-pad" :  "^1.0.1"'));
    const dev = editNpmManifest(manifest, [update({ depType: 'dev' })]);
    expect(dev).toBe(manifest.replace('{"left-pad": "^1.0.0"}', '{"left-pad": "^1.0.1"}'));
  });

  it('does not take a nested "dependencies" object (a workspace entry, an override) for the section', () => {
    const manifest = JSON.stringify(
      {
        name: 'app',
        overrides: { dependencies: { 'left-pad': '^1.0.0' } },
        dependencies: { 'left-pad': '^1.0.0' },
      },
      null,
      2,
    );
    const out = JSON.parse(editNpmManifest(manifest, [update({})])) as {
      overrides: { dependencies: Record<string, string> };
      dependencies: Record<string, string>;
    };
    expect(out.dependencies['left-pad']).toBe('^1.0.1');
    expect(out.overrides.dependencies['left-pad']).toBe('^1.0.0');
  });

  it('refuses, naming the package and section, when the entry is not there exactly once', () => {
    const manifest = '{"dependencies": {"left-pad": "~1.0.0"}}';
    try {
      editNpmManifest(manifest, [update({})]);
      expect.unreachable('the edit should be refused');
    } catch (error) {
      expect(isAutodevError(error, 'UPDATE_EDIT_FAILED')).toBe(true);
      expect((error as Error).message).toBe(
        'package.json: cannot find "left-pad": "^1.0.0" once in dependencies',
      );
    }
  });

  it('writes a version text from a registry as a JSON string, never as raw text', () => {
    const manifest = '{"dependencies": {"left-pad": "^1.0.0"}}';
    const out = editNpmManifest(manifest, [update({ toRange: '^1.0.1", "evil": "1' })]);
    expect(JSON.parse(out)).toEqual({ dependencies: { 'left-pad': '^1.0.1", "evil": "1' } });
  });
});
