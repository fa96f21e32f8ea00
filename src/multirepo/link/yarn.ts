import path from 'node:path';
import { hasManifest } from './manifest.js';
import { manifestEditCommand } from './manifest-edit.js';
import { jsDependency } from './package-json.js';
import type { Linker } from './types.js';

/**
 * yarn (1): after the consumer's own install, the copy's package.json takes the library from its
 * copy (`file:`, the member's folder when the library is a workspace): the consumer's own
 * declaration, since yarn keeps a locked direct dependency whatever `resolutions` say, and
 * `resolutions` for the packages that use it in turn. yarn then installs offline without writing
 * its lockfile; only the copy's manifest changes.
 */
export const yarnLinker: Linker = {
  id: 'yarn',
  detect: (consumerDir) => hasManifest(consumerDir, 'yarn.lock'),
  async link({ consumerDir, libraryDir }) {
    const { name, dir, sections } = await jsDependency(libraryDir, consumerDir);
    const spec = `file:${dir}`;
    return {
      library: name,
      commands: [
        manifestEditCommand(path.join(consumerDir, 'package.json'), [
          ...sections.map((section) => ({ keys: [section, name], value: spec })),
          { keys: ['resolutions', name], value: spec },
        ]),
        ['yarn', 'install', '--offline', '--pure-lockfile', '--non-interactive'],
      ],
      env: {},
      buildArgs: [],
    };
  },
};
