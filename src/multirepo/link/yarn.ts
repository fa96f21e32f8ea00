import path from 'node:path';
import { hasManifest, recordOf } from './manifest.js';
import { manifestEditCommand } from './manifest-edit.js';
import {
  dependsOn,
  DEPENDENCY_SECTIONS,
  jsLibraryPackages,
  jsPackages,
  notDependedOn,
} from './js-workspace.js';
import type { Linker } from './types.js';

/**
 * yarn (1): after the consumer's own install, the copy's package.json takes the library from its
 * copy (`file:`, the member's folder when the library is a workspace): the consumer's own
 * declaration, since yarn keeps a locked direct dependency whatever `resolutions` say, and
 * `resolutions` for the packages that use it in turn. yarn then installs offline without writing
 * its lockfile; only the copy's manifests change. In a consumer that is a yarn workspace each
 * member that depends on the library gets the same declaration.
 */
export const yarnLinker: Linker = {
  id: 'yarn',
  detect: (consumerDir) => hasManifest(consumerDir, 'yarn.lock'),
  async link({ consumerDir, libraryDir }) {
    const libraries = await jsLibraryPackages(libraryDir);
    const consumer = await jsPackages(consumerDir);
    const linked = libraries.filter((l) => consumer.some((p) => dependsOn(p.manifest, l.name)));
    if (linked.length === 0) throw notDependedOn(libraries.map((l) => l.name).join(', '), consumer);
    // Per package.json (the root's first): its own declarations of the library, and at the root
    // the resolutions, which apply to the whole workspace.
    const edits = consumer.map((p) => ({
      file: path.join(consumerDir, p.dir, 'package.json'),
      edits: linked.flatMap(({ name, dir }) => [
        ...DEPENDENCY_SECTIONS.filter((section) => recordOf(p.manifest[section])?.[name] !== undefined).map(
          (section) => ({ keys: [section, name], value: `file:${dir}` }),
        ),
        ...(p.dir === '' ? [{ keys: ['resolutions', name], value: `file:${dir}` }] : []),
      ]),
    }));
    return {
      library: linked.map((l) => l.name).join(', '),
      commands: [
        ...edits.filter((e) => e.edits.length > 0).map((e) => manifestEditCommand(e.file, e.edits)),
        ['yarn', 'install', '--offline', '--pure-lockfile', '--non-interactive'],
      ],
      env: {},
      buildArgs: [],
    };
  },
};
