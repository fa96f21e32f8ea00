import { AutodevError } from '../../errors.js';
import type { RegistryAccess } from '../registry-access.js';
import type { RepoFiles, Updater } from '../types.js';
import { declaredNpmDependencies } from './declared.js';
import { npmContents } from './contents.js';
import { editNpmManifest } from './manifest-edit.js';
import { chooseLockManager } from './managers/index.js';
import { npmLockManager } from './managers/npm.js';
import type { LockManager } from './managers/types.js';
import { fetchNpmVersions, registryFor, withSlash, type NpmRegistries } from './registry.js';

/**
 * npm: package.json at the repository's root, locked by npm, pnpm or yarn 1 as the lockfile present
 * says (managers/). Versions come from the registry the repository's own settings name (.npmrc, and
 * .yarnrc for yarn), else the one the machine's npm is configured for; either must be a registry the
 * setup network lets through (the allow-list), so a repository cannot point autodev's lookups anywhere
 * else.
 */
export function createNpmUpdater(access: RegistryAccess, manager: LockManager = npmLockManager): Updater {
  async function registries(files: RepoFiles): Promise<NpmRegistries> {
    const { manager: chosen } = await chooseLockManager(files);
    const settings = await chosen.registrySettings(files);
    const machine = await access.clientRegistry(['npm', 'config', 'get', 'registry']);
    const defaultUrl = settings['registry'] ?? machine;
    if (defaultUrl === undefined) {
      throw new AutodevError(
        'UPDATE_REGISTRY_UNREACHABLE',
        `npm: no registry configured (npm config get registry answered nothing, and the repository's ${chosen.name} settings name none)`,
        { details: { ecosystem: 'npm' } },
      );
    }
    const scoped: Record<string, string> = {};
    for (const [key, value] of Object.entries(settings)) {
      const scope = /^(@[a-z0-9][\w.-]*):registry$/i.exec(key)?.[1];
      if (scope !== undefined) scoped[scope] = withSlash(value);
    }
    for (const url of [defaultUrl, ...Object.values(scoped)]) await access.assertAllowed('npm', url);
    return { defaultUrl: withSlash(defaultUrl), scoped };
  }

  return {
    ecosystem: 'npm',
    manifest: 'package.json',
    lockfile: manager.lockfile,
    async forRepository(files) {
      return createNpmUpdater(access, (await chooseLockManager(files)).manager);
    },
    async declared(files) {
      const manifest = await files.read('package.json');
      if (manifest === undefined) return [];
      const { manager: chosen, lockfile } = await chooseLockManager(files);
      return declaredNpmDependencies(
        manifest,
        lockfile === undefined ? undefined : (names) => chosen.lockedVersions(lockfile, names, manifest),
      );
    },
    async lookup(files) {
      const found = await registries(files);
      return {
        versions: (name) => fetchNpmVersions(registryFor(found, name), name, access.fetch),
        contents: async (_name, version, wanted) =>
          version.archive === undefined ? undefined : npmContents(access, version.archive, wanted),
      };
    },
    editManifest: editNpmManifest,
    lockCommands: (updates, hasLockfile) => manager.lockCommands(updates, hasLockfile),
    lockedVersions: (lockfile, names, manifest) => manager.lockedVersions(lockfile, names, manifest),
    ...(manager.lockRun ? { lockRun: manager.lockRun } : {}),
    ...(manager.rewritesManifest === true ? { rewritesManifest: true } : {}),
  };
}
