import { linkFailed, readJsonManifest, recordOf, requiredString } from './manifest.js';

/** The sections of package.json that name a package the project installs. */
const DEPENDENCY_SECTIONS = ['dependencies', 'devDependencies', 'optionalDependencies', 'peerDependencies'];

/**
 * The library's package name (its package.json `name`), checked to be one the consumer's
 * package.json depends on: the npm, pnpm and yarn linkers share this.
 */
export async function jsLibraryName(libraryDir: string, consumerDir: string): Promise<string> {
  const name = requiredString(
    await readJsonManifest(libraryDir, 'package.json'),
    'name',
    'library package.json',
  );
  const consumer = await readJsonManifest(consumerDir, 'package.json');
  const depends = DEPENDENCY_SECTIONS.some((section) => recordOf(consumer[section])?.[name] !== undefined);
  if (!depends) {
    throw linkFailed(
      `the consumer's package.json does not depend on ${name} (in ${DEPENDENCY_SECTIONS.join(', ')}): nothing to link`,
      { library: name },
    );
  }
  return name;
}
