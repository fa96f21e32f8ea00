import { describe, expect, it } from 'vitest';
import { isAutodevError } from '../../errors.js';
import type { UpdateCandidate } from '../types.js';
import { editCargoManifest } from './manifest-edit.js';

const update = (over: Partial<UpdateCandidate>): UpdateCandidate => ({
  ecosystem: 'cargo',
  name: 'tinyadd',
  depType: 'prod',
  from: '1.0.0',
  to: '1.0.1',
  type: 'patch',
  fromRange: '1.0',
  toRange: '1.0.1',
  publishedAt: null,
  ageDays: null,
  ...over,
});

const MANIFEST = [
  '# the app',
  '[package]',
  'name = "tinyadd"   # same name as the dependency: not a dependency table',
  'version = "1.0"',
  '',
  '[dependencies]',
  "tinyadd   =   '1.0'    # keep me",
  'serde = { version = "1.0", features = ["derive"] }',
  'local = { path = "../local", version = "1.0" }',
  '',
  "[target.'cfg(unix)'.dependencies]",
  'tinyadd = { default-features = false, version = "1.0" }',
  '',
  '[dev-dependencies.serde]',
  'version = "1.0"',
  'features = ["std"]',
  '',
].join('\n');

describe('editCargoManifest', () => {
  it('changes only the requirement text, in every table declaring it, keeping quotes, spacing and comments', () => {
    const out = editCargoManifest(MANIFEST, [update({})]);
    expect(out).toBe(
      MANIFEST.replace("tinyadd   =   '1.0'", "tinyadd   =   '1.0.1'").replace(
        'tinyadd = { default-features = false, version = "1.0" }',
        'tinyadd = { default-features = false, version = "1.0.1" }',
      ),
    );
  });

  it('edits an inline table and a [dev-dependencies.NAME] table, never a path dependency of the same requirement', () => {
    const out = editCargoManifest(MANIFEST, [update({ name: 'serde', toRange: '1.0.219' })]);
    expect(out).toBe(
      MANIFEST.replace('serde = { version = "1.0",', 'serde = { version = "1.0.219",').replace(
        '[dev-dependencies.serde]\nversion = "1.0"',
        '[dev-dependencies.serde]\nversion = "1.0.219"',
      ),
    );
    expect(out).toContain('local = { path = "../local", version = "1.0" }');
  });

  it('refuses, naming the crate, when no dependency table declares it with that requirement', () => {
    try {
      editCargoManifest(MANIFEST, [update({ fromRange: '2' })]);
      expect.unreachable('the edit should be refused');
    } catch (error) {
      expect(isAutodevError(error, 'UPDATE_EDIT_FAILED')).toBe(true);
      expect((error as Error).message).toBe('Cargo.toml: cannot find tinyadd = "2" in a dependency table');
    }
  });

  it('does not read a header-like line inside a multi-line string as a table', () => {
    const manifest =
      '[package]\nname = "x"\ndescription = """\n[dependencies]\ntinyadd = "1.0"\n"""\n\n[dependencies]\ntinyadd = "1.0"\n';
    expect(editCargoManifest(manifest, [update({})])).toBe(
      manifest.replace(/tinyadd = "1\.0"\n$/, 'tinyadd = "1.0.1"\n'),
    );
  });

  it('writes a version text from a registry as a TOML string, and refuses an edit that would change more', () => {
    const manifest = '[dependencies]\ntinyadd = "1.0"\n';
    const out = editCargoManifest(manifest, [update({ toRange: '1.0.1"\nevil = "1' })]);
    expect(out).toBe('[dependencies]\ntinyadd = "1.0.1\\"\\nevil = \\"1"\n');
    // A requirement written as a multi-line string is not looked into: refused, not guessed.
    const split = '[dependencies]\ntinyadd = """\n1.0"""\n';
    expect(() => editCargoManifest(split, [update({})])).toThrow(/cannot find/);
  });
});
