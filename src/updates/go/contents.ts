import { fetchArchive } from '../package-archive/fetch.js';
import { readArchive } from '../package-archive/index.js';
import type { RegistryAccess } from '../registry-access.js';
import { isChangelogName, pickChangelog } from '../release-notes/changelog-file.js';
import type { ContentsWanted, PackageContents } from '../types.js';

/**
 * A Go module's changelog from its module zip on the proxy (`MODULE@VERSION/` holds the module's
 * root). A module's public API is not read here.
 */
export async function goContents(
  access: Pick<RegistryAccess, 'assertAllowed' | 'fetch'>,
  modulePath: string,
  version: string,
  url: string,
  wanted: ContentsWanted,
): Promise<PackageContents | undefined> {
  if (!wanted.changelog) return undefined;
  const bytes = await fetchArchive(access, 'go', url);
  if (bytes === undefined) return undefined;
  const root = `${modulePath}@${version}/`;
  const atRoot = (path: string): boolean => path.startsWith(root) && !path.slice(root.length).includes('/');
  try {
    const files = await readArchive(
      'zip',
      bytes,
      (path) => atRoot(path) && isChangelogName(path.slice(root.length)),
    );
    const changelog = pickChangelog(files, atRoot);
    return changelog === undefined ? {} : { changelog };
  } catch {
    return undefined;
  }
}
