import path from 'node:path';
import { hasManifest } from './manifest.js';
import { manifestEditCommand } from './manifest-edit.js';
import { jsDependency } from './package-json.js';
import type { Linker } from './types.js';

/**
 * pnpm: after the consumer's own install, `pnpm.overrides` in the copy's package.json points the
 * library at its copy (`file:`, the member's folder when the library is a workspace; installed
 * like a published package, its dependencies resolved), and pnpm installs again without the
 * frozen lockfile, offline: the other packages come from the store the first install filled.
 * Only the copy's manifest and lockfile change.
 */
export const pnpmLinker: Linker = {
  id: 'pnpm',
  detect: (consumerDir) => hasManifest(consumerDir, 'pnpm-lock.yaml'),
  async link({ consumerDir, libraryDir }) {
    const { name: library, dir } = await jsDependency(libraryDir, consumerDir);
    return {
      library,
      commands: [
        manifestEditCommand(path.join(consumerDir, 'package.json'), [
          { keys: ['pnpm', 'overrides', library], value: `file:${dir}` },
        ]),
        ['pnpm', 'install', '--offline', '--no-frozen-lockfile'],
      ],
      env: {},
      buildArgs: [],
    };
  },
};
