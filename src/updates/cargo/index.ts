import { ecosystemCache } from '../../languages/caches.js';
import { SEMVER_VERSIONING } from '../semver-versioning.js';
import { AutodevError } from '../../errors.js';
import type { RegistryAccess } from '../registry-access.js';
import type { UpdateCandidate, Updater } from '../types.js';
import { cargoRegistryConfig, replacedIndexUrl } from './config.js';
import { cargoContents, crateDownloadUrl, fetchDownloadTemplate } from './contents.js';
import { declaredCargoDependencies, lockedCargoVersions } from './declared.js';
import { editCargoManifest } from './manifest-edit.js';
import { newCargoRequirement } from './requirement.js';
import { fetchSparseIndexVersions, sparseIndexBase } from './sparse-index.js';

/** The probe (network/registries/cargo-default.ts) that learns cargo's built-in registry from cargo. */
const DEFAULT_REGISTRY_PROBE = 'cargo (default registry)';

/**
 * Cargo: the root Cargo.toml and Cargo.lock. Versions come from the sparse index crates-io is
 * replaced with in cargo's configuration (the repository's .cargo/config.toml, then CARGO_HOME's),
 * else from cargo's built-in registry, whose index host cargo itself names (it is served at the
 * host's root). Either must be on the allow-list, as for npm.
 */
export function createCargoUpdater(access: RegistryAccess): Updater {
  async function defaultIndex(): Promise<string> {
    const [index] = await access.discovered(DEFAULT_REGISTRY_PROBE);
    if (index === undefined) {
      throw new AutodevError(
        'UPDATE_REGISTRY_UNREACHABLE',
        "cargo: the default registry is unknown (cargo named no index host when asked); replace crates-io in the repository's .cargo/config.toml",
        { details: { ecosystem: 'cargo' } },
      );
    }
    const host = index.host.includes(':') ? `[${index.host}]` : index.host;
    return `sparse+https://${host}${index.port === 443 ? '' : `:${String(index.port)}`}/`;
  }

  return {
    ecosystem: 'cargo',
    manifest: 'Cargo.toml',
    lockfile: 'Cargo.lock',
    async lockRun(options) {
      const cache = await ecosystemCache(options, 'cargo', true);
      const env: Record<string, string> = cache ? { CARGO_HOME: cache.dir } : {};
      return { env, binds: cache ? [cache.bind] : [] };
    },
    async declared(files) {
      const manifest = await files.read('Cargo.toml');
      if (manifest === undefined) return [];
      return declaredCargoDependencies(manifest, await files.read('Cargo.lock'));
    },
    async lookup(files) {
      const config = await cargoRegistryConfig(files, access.clientEnv);
      const index = replacedIndexUrl(config) ?? (await defaultIndex());
      const base = sparseIndexBase(index);
      await access.assertAllowed('cargo', base);
      let template: Promise<string | undefined> | undefined;
      return {
        versions: (name) => fetchSparseIndexVersions(base, name, access.fetch),
        async contents(name, version, wanted) {
          const dl = await (template ??= fetchDownloadTemplate(base, access.fetch));
          const url = dl === undefined ? undefined : crateDownloadUrl(dl, name, version.version);
          return url === undefined ? undefined : cargoContents(access, url, wanted);
        },
      };
    },
    editManifest: editCargoManifest,
    // Cargo's versions are semver; its requirement syntax is its own (a bare `1.2` means `^1.2`).
    versioning: { ...SEMVER_VERSIONING, newRange: newCargoRequirement },
    lockCommands(updates: readonly UpdateCandidate[], hasLockfile: boolean) {
      // `cargo fetch` downloads the new crates into CARGO_HOME (the repository's cache, lockRun):
      // the tests that follow build offline from there.
      if (!hasLockfile)
        return [
          ['cargo', 'fetch'],
          ['rm', '-f', '--', 'Cargo.lock'],
        ];
      // The crate by name, not name@from: once the manifest's requirements are edited, the first
      // command re-resolves every crate whose locked version they no longer admit, so a later crate
      // of the group may be locked at another version already; --precise then sets it. (A crate
      // locked at two versions is ambiguous by name: cargo refuses, the step fails saying so.)
      return [
        ...updates.map((u) => ['cargo', 'update', '--package', u.name, '--precise', u.to]),
        ['cargo', 'fetch'],
      ];
    },
    lockedVersions: lockedCargoVersions,
  };
}
