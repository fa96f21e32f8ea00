import { describe, expect, it } from 'vitest';
import { declaredCargoDependencies, lockedCargoVersions } from './declared.js';
import { cargoRange, newCargoRequirement } from './requirement.js';

const MANIFEST = `
[package]
name = "app"
version = "0.1.0"

[dependencies]
tinyadd = "1.0"
serde = { version = "=1.0.100", features = ["derive"] }
local = { path = "../local", version = "1.0" }
fromgit = { git = "https://example.invalid/x.git" }
renamed = { package = "other", version = "1" }
twice = "1"

[target.'cfg(unix)'.dependencies]
tinyadd = { version = "1.0" }
twice = "2"

[dev-dependencies]
devonly = "~0.2"

[build-dependencies]
cc = "1"

[workspace.dependencies]
shared = "0.3.1"
`;

const LOCK = `
version = 4

[[package]]
name = "app"
version = "0.1.0"
dependencies = ["tinyadd 1.0.4", "serde", "local", "big"]

[[package]]
name = "local"
version = "1.0.0"

[[package]]
name = "tinyadd"
version = "1.0.4"
source = "registry+https://index.invalid/"
checksum = "00"

[[package]]
name = "big"
version = "3.0.0"
source = "registry+https://index.invalid/"
dependencies = ["tinyadd 2.1.0"]

[[package]]
name = "tinyadd"
version = "2.1.0"
source = "registry+https://index.invalid/"

[[package]]
name = "serde"
version = "1.0.100"
source = "sparse+https://index.invalid/"

[[package]]
name = "devonly"
version = "0.2.7"
source = "registry+https://index.invalid/"
`;

describe('declaredCargoDependencies', () => {
  it('lists registry dependencies of every table once, with the locked version the requirement admits', () => {
    expect(declaredCargoDependencies(MANIFEST, LOCK)).toEqual([
      { name: 'tinyadd', depType: 'prod', range: '1.0', current: '1.0.4' },
      { name: 'serde', depType: 'prod', range: '=1.0.100', current: '1.0.100' },
      { name: 'devonly', depType: 'dev', range: '~0.2', current: '0.2.7' },
      // Not locked: the lowest version the requirement allows.
      { name: 'cc', depType: 'prod', range: '1', current: '1.0.0' },
      { name: 'shared', depType: 'prod', range: '0.3.1', current: '0.3.1' },
    ]);
  });

  it('reads a crate locked at two versions at the version the workspace package names', () => {
    const locked = lockedCargoVersions(LOCK, ['tinyadd', 'serde', 'devonly', 'missing']);
    // big's tinyadd 2.1.0 is not the app's; devonly, locked once, is named by no root package here.
    expect(Object.fromEntries(locked)).toEqual({ tinyadd: '1.0.4', serde: '1.0.100', devonly: '0.2.7' });
  });
});

describe('Cargo requirements', () => {
  it('reads bare versions as carets, commas as "and", wildcards and operators as Cargo does', () => {
    expect(cargoRange('1.2')).toBe('^1.2');
    expect(cargoRange('>= 1.2, < 1.5')).toBe('>=1.2 <1.5');
    expect(cargoRange('1.*')).toBe('1.*');
    expect(cargoRange('*')).toBe('*');
    expect(cargoRange('~0.2.3')).toBe('~0.2.3');
    expect(cargoRange('1.2 || 2')).toBeUndefined();
    expect(cargoRange('')).toBeUndefined();
  });

  it('bumps in the requirement own operator, keeps what admits the version for replace, pins with =', () => {
    expect(newCargoRequirement('1.0', '1.0.7', 'bump')).toBe('1.0.7');
    expect(newCargoRequirement('~0.2.1', '0.2.9', 'bump')).toBe('~0.2.9');
    expect(newCargoRequirement('=1.0.100', '1.0.101', 'bump')).toBe('=1.0.101');
    expect(newCargoRequirement('1.0', '1.0.7', 'replace')).toBe('1.0');
    expect(newCargoRequirement('0.2', '0.3.0', 'replace')).toBe('0.3.0');
    expect(newCargoRequirement('1.0', '2.0.0', 'widen')).toBe('2.0.0');
    expect(newCargoRequirement('1.0', '1.0.7', 'pin')).toBe('=1.0.7');
    expect(newCargoRequirement('>=1, <1.5', '1.6.0', 'bump')).toBeUndefined();
  });
});
