import { hasManifest } from './manifest.js';
import { dependsOn, jsLibraryPackages, jsPackages, notDependedOn } from './js-workspace.js';
import type { Linker } from './types.js';

const INSTALL = ['npm', 'install', '--no-save', '--install-links', '--no-audit', '--no-fund'];

/**
 * npm: after the consumer's own install, the library's copy is installed over the published one
 * with `--no-save` (package.json and package-lock.json stay as they are) and `--install-links`
 * (packed and installed like a published package, its dependencies resolved, not a symlink to a
 * folder the consumer's tools would resolve from). In a consumer that is an npm workspace the
 * install names (`-w`) the members that depend on the library; a library that is a workspace is
 * installed from the member folder of each package the consumer uses.
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
    const libraries = await jsLibraryPackages(libraryDir);
    const consumer = await jsPackages(consumerDir);
    const commands: string[][] = [];
    const linked: string[] = [];
    for (const library of libraries) {
      const dependents = consumer.filter((p) => dependsOn(p.manifest, library.name));
      if (dependents.length === 0) continue;
      linked.push(library.name);
      if (dependents.some((p) => p.dir === '')) commands.push([...INSTALL, `file:${library.dir}`]);
      const members = dependents.filter((p) => p.dir !== '').map((p) => `--workspace=${p.dir}`);
      if (members.length > 0) commands.push([...INSTALL, `file:${library.dir}`, ...members]);
    }
    if (linked.length === 0) throw notDependedOn(libraries.map((l) => l.name).join(', '), consumer);
    return { library: linked.join(', '), commands, env: {}, buildArgs: [] };
  },
};
