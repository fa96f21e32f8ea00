import path from 'node:path';
import { hasManifest } from './manifest.js';
import { manifestEditCommand } from './manifest-edit.js';
import { dependsOn, jsLibraryPackages, notDependedOn, pnpmPackages } from './js-workspace.js';
import type { Linker } from './types.js';

/**
 * pnpm: after the consumer's own install, `pnpm.overrides` in the copy's package.json points the
 * library at its copy (`file:`, the member's folder when the library is a workspace; installed
 * like a published package, its dependencies resolved), and pnpm installs again without the
 * frozen lockfile, offline: the other packages come from the store the first install filled.
 * Only the copy's manifest and lockfile change. A consumer that is a pnpm workspace is linked when
 * any member depends on the library: the root's overrides apply to all of them.
 */
export const pnpmLinker: Linker = {
  id: 'pnpm',
  detect: (consumerDir) => hasManifest(consumerDir, 'pnpm-lock.yaml'),
  async link({ consumerDir, libraryDir }) {
    const libraries = await jsLibraryPackages(libraryDir);
    const consumer = await pnpmPackages(consumerDir);
    // Overrides in the root package.json apply to every package of a pnpm workspace.
    const linked = libraries.filter((l) => consumer.some((p) => dependsOn(p.manifest, l.name)));
    if (linked.length === 0) throw notDependedOn(libraries.map((l) => l.name).join(', '), consumer);
    return {
      library: linked.map((l) => l.name).join(', '),
      commands: [
        manifestEditCommand(
          path.join(consumerDir, 'package.json'),
          linked.map(({ name, dir }) => ({ keys: ['pnpm', 'overrides', name], value: `file:${dir}` })),
        ),
        ['pnpm', 'install', '--offline', '--no-frozen-lockfile'],
      ],
      env: {},
      buildArgs: [],
    };
  },
};
