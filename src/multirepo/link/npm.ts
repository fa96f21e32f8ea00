import { hasManifest } from './manifest.js';
import { jsLibraryName } from './package-json.js';
import type { Linker } from './types.js';

/**
 * npm: after the consumer's own install, the library's copy is installed over the published one
 * with `--no-save` (package.json and package-lock.json stay as they are) and `--install-links`
 * (packed and installed like a published package, its dependencies resolved, not a symlink to a
 * folder the consumer's tools would resolve from).
 */
export const npmLinker: Linker = {
  id: 'npm',
  async detect(consumerDir) {
    return (
      (await hasManifest(consumerDir, 'package.json')) &&
      !(await hasManifest(consumerDir, 'pnpm-lock.yaml')) &&
      !(await hasManifest(consumerDir, 'yarn.lock'))
    );
  },
  async link({ consumerDir, libraryDir }) {
    const library = await jsLibraryName(libraryDir, consumerDir);
    return {
      library,
      commands: [
        ['npm', 'install', '--no-save', '--install-links', '--no-audit', '--no-fund', `file:${libraryDir}`],
      ],
      env: {},
      buildArgs: [],
    };
  },
};
