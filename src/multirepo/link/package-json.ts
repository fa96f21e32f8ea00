import { DEPENDENCY_SECTIONS } from './js-workspace.js';
import { linkFailed, readJsonManifest, recordOf, requiredString } from './manifest.js';

/**
 * The library's package name (its package.json `name`) and the sections of the consumer's
 * package.json that declare it; LINK_FAILED when none does. The npm, pnpm and yarn linkers share this.
 */
export async function jsDependency(
  libraryDir: string,
  consumerDir: string,
): Promise<{ name: string; sections: string[] }> {
  const name = requiredString(
    await readJsonManifest(libraryDir, 'package.json'),
    'name',
    'library package.json',
  );
  const consumer = await readJsonManifest(consumerDir, 'package.json');
  const sections = DEPENDENCY_SECTIONS.filter((section) => recordOf(consumer[section])?.[name] !== undefined);
  if (sections.length === 0) {
    throw linkFailed(
      `the consumer's package.json does not depend on ${name} (in ${DEPENDENCY_SECTIONS.join(', ')}): nothing to link`,
      { library: name },
    );
  }
  return { name, sections };
}

export async function jsLibraryName(libraryDir: string, consumerDir: string): Promise<string> {
  return (await jsDependency(libraryDir, consumerDir)).name;
}
