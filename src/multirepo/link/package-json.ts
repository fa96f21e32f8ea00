import { DEPENDENCY_SECTIONS, jsLibraryPackages } from './js-workspace.js';
import { linkFailed, readJsonManifest, recordOf } from './manifest.js';

/**
 * The library package the consumer's root package.json depends on (its `name`, the folder in the
 * library's copy it is installed from, a workspace member's when the library is a workspace) and
 * the sections that declare it; LINK_FAILED when none does. The pnpm and yarn linkers share this.
 */
export async function jsDependency(
  libraryDir: string,
  consumerDir: string,
): Promise<{ name: string; dir: string; sections: string[] }> {
  const libraries = await jsLibraryPackages(libraryDir);
  const consumer = await readJsonManifest(consumerDir, 'package.json');
  for (const { name, dir } of libraries) {
    const sections = DEPENDENCY_SECTIONS.filter((s) => recordOf(consumer[s])?.[name] !== undefined);
    if (sections.length > 0) return { name, dir, sections };
  }
  const names = libraries.map((l) => l.name).join(', ');
  throw linkFailed(
    `the consumer's package.json does not depend on ${names} (in ${DEPENDENCY_SECTIONS.join(', ')}): nothing to link`,
    { library: names },
  );
}
