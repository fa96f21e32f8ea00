import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { isAutodevError } from '../../errors.js';
import type { RepoFiles } from '../types.js';
import { cargoRegistryConfig, replacedIndexUrl } from './config.js';
import { indexPath, sparseIndexBase } from './sparse-index.js';

const repoFiles = (files: Record<string, string>): RepoFiles => ({
  read: (file) => Promise.resolve(files[file]),
});

describe('cargo registry configuration', () => {
  let home: string | undefined;
  afterEach(async () => {
    if (home) await rm(home, { recursive: true, force: true });
  });

  it("takes the repository's source replacement over CARGO_HOME's, following replace-with chains", async () => {
    home = await mkdtemp(path.join(tmpdir(), 'autodev-cargo-home-'));
    await writeFile(
      path.join(home, 'config.toml'),
      '[source.crates-io]\nreplace-with = "corp"\n[source.corp]\nregistry = "sparse+https://home.invalid/index/"\n',
    );
    const env = { CARGO_HOME: home };
    expect(replacedIndexUrl(await cargoRegistryConfig(repoFiles({}), env))).toBe(
      'sparse+https://home.invalid/index/',
    );
    // The repository's own .cargo/config.toml is nearer: its `corp` wins, through a second hop.
    const repo = repoFiles({
      '.cargo/config.toml':
        '[source.corp]\nreplace-with = "mirror"\n[registries.mirror]\nindex = "sparse+http://127.0.0.1:9/"\n',
    });
    expect(replacedIndexUrl(await cargoRegistryConfig(repo, env))).toBe('sparse+http://127.0.0.1:9/');
    // CARGO_REGISTRIES_<NAME>_INDEX overrides the files' index of that registry.
    const overridden = await cargoRegistryConfig(repo, {
      ...env,
      CARGO_REGISTRIES_MIRROR_INDEX: 'sparse+https://env.invalid/',
    });
    expect(replacedIndexUrl(overridden)).toBe('sparse+https://env.invalid/');
  });

  it('reads .cargo/config before .cargo/config.toml, as cargo does when both exist', async () => {
    const repo = repoFiles({
      '.cargo/config':
        '[source.crates-io]\nreplace-with = "a"\n[source.a]\nregistry = "sparse+https://a.invalid/"\n',
      '.cargo/config.toml':
        '[source.crates-io]\nreplace-with = "b"\n[source.b]\nregistry = "sparse+https://b.invalid/"\n',
    });
    expect(replacedIndexUrl(await cargoRegistryConfig(repo, {}))).toBe('sparse+https://a.invalid/');
  });

  it('leaves crates-io to cargo when nothing replaces it, and refuses a replacement that is no index', async () => {
    expect(replacedIndexUrl(await cargoRegistryConfig(repoFiles({}), {}))).toBeUndefined();
    const vendored = repoFiles({
      '.cargo/config.toml':
        '[source.crates-io]\nreplace-with = "vendored"\n[source.vendored]\ndirectory = "vendor"\n',
    });
    const config = await cargoRegistryConfig(vendored, {});
    expect(() => replacedIndexUrl(config)).toThrow(
      /replaced by "vendored", which is no registry index \(directory\)/,
    );
  });

  it('looks up only sparse indexes, at cargo’s file layout', () => {
    expect(sparseIndexBase('sparse+http://127.0.0.1:9')).toBe('http://127.0.0.1:9/');
    try {
      sparseIndexBase('https://git.invalid/index');
      expect.unreachable('a git index is refused');
    } catch (error) {
      expect(isAutodevError(error, 'UPDATE_REGISTRY_UNREACHABLE')).toBe(true);
    }
    expect(['a', 'ab', 'abc', 'Serde_Json'].map(indexPath)).toEqual([
      '1/a',
      '2/ab',
      '3/a/abc',
      'se/rd/serde_json',
    ]);
  });
});
