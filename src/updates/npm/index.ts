import { AutodevError } from '../../errors.js';
import type { RegistryAccess } from '../registry-access.js';
import type { RepoFiles, UpdateCandidate, Updater } from '../types.js';
import { declaredNpmDependencies, lockedNpmVersions } from './declared.js';
import { npmChangelog } from './changelog.js';
import { editNpmManifest } from './manifest-edit.js';
import { fetchNpmVersions, parseNpmrc, registryFor, withSlash, type NpmRegistries } from './registry.js';

const NPM_FLAGS = ['--ignore-scripts', '--no-audit', '--no-fund', '--no-update-notifier'];

/** Lockfiles of the package managers whose lock step the updater does not drive yet. */
const OTHER_MANAGERS = [
  { file: 'pnpm-lock.yaml', tool: 'pnpm' },
  { file: 'yarn.lock', tool: 'yarn' },
] as const;

/**
 * UPDATE_UNSUPPORTED naming the manager when the repository locks with pnpm or yarn: npm's lock step
 * would leave that lockfile stale under the edited ranges, and the repository's own frozen install
 * would then fail on the pull request.
 */
async function refuseOtherManagers(files: RepoFiles): Promise<void> {
  for (const { file, tool } of OTHER_MANAGERS) {
    if ((await files.read(file)) === undefined) continue;
    throw new AutodevError(
      'UPDATE_UNSUPPORTED',
      `npm: ${file} shows the repository locks its dependencies with ${tool}, which dependency updates do not drive yet (supported: package.json with package-lock.json, or without a lockfile)`,
      { details: { ecosystem: 'npm', file, tool } },
    );
  }
}

/**
 * npm: package.json and package-lock.json at the repository's root. Versions come from the registry
 * the repository's .npmrc names, else the one the machine's npm is configured for; either must be a
 * registry the setup network lets through (the allow-list), so a repository cannot point autodev's
 * lookups anywhere else.
 */
export function createNpmUpdater(access: RegistryAccess): Updater {
  async function registries(npmrcText: string | undefined): Promise<NpmRegistries> {
    const npmrc = parseNpmrc(npmrcText ?? '');
    const machine = await access.clientRegistry(['npm', 'config', 'get', 'registry']);
    const defaultUrl = npmrc['registry'] ?? machine;
    if (defaultUrl === undefined) {
      throw new AutodevError(
        'UPDATE_REGISTRY_UNREACHABLE',
        'npm: no registry configured (npm config get registry answered nothing, and .npmrc names none)',
        { details: { ecosystem: 'npm' } },
      );
    }
    const scoped: Record<string, string> = {};
    for (const [key, value] of Object.entries(npmrc)) {
      const scope = /^(@[a-z0-9][\w.-]*):registry$/i.exec(key)?.[1];
      if (scope !== undefined) scoped[scope] = withSlash(value);
    }
    for (const url of [defaultUrl, ...Object.values(scoped)]) await access.assertAllowed('npm', url);
    return { defaultUrl: withSlash(defaultUrl), scoped };
  }

  return {
    ecosystem: 'npm',
    manifest: 'package.json',
    lockfile: 'package-lock.json',
    async declared(files) {
      const manifest = await files.read('package.json');
      if (manifest === undefined) return [];
      await refuseOtherManagers(files);
      return declaredNpmDependencies(manifest, await files.read('package-lock.json'));
    },
    async lookup(files) {
      const found = await registries(await files.read('.npmrc'));
      return {
        versions: (name) => fetchNpmVersions(registryFor(found, name), name, access.fetch),
        changelog: async (name, version) =>
          version.archive === undefined
            ? undefined
            : npmChangelog(registryFor(found, name), version.archive, access.fetch),
      };
    },
    editManifest: editNpmManifest,
    lockCommands(updates: readonly UpdateCandidate[], hasLockfile: boolean) {
      if (!hasLockfile) return [['npm', 'install', '--no-package-lock', ...NPM_FLAGS]];
      // Installs as well as locks: the tests that follow must run against the new versions, not the
      // ones setup installed (install scripts stay off: the tests tell whether that matters).
      const commands = [['npm', 'install', ...NPM_FLAGS]];
      // A range that already admits the new version (range_strategy "replace") changes only the lock;
      // the versions the lock then holds are checked against the intended ones.
      const lockOnly = updates.filter((u) => u.fromRange === u.toRange).map((u) => u.name);
      if (lockOnly.length > 0) commands.push(['npm', 'update', ...NPM_FLAGS, ...lockOnly]);
      return commands;
    },
    lockedVersions: lockedNpmVersions,
  };
}
