import { posix } from 'node:path';
import { fetchArchive } from '../package-archive/fetch.js';
import { readArchive } from '../package-archive/index.js';
import type { RegistryAccess } from '../registry-access.js';
import { inTopFolder, isChangelogName, pickChangelog } from '../release-notes/changelog-file.js';
import type { ContentsWanted, PackageContents } from '../types.js';

type Json = Record<string, unknown>;
const isObject = (value: unknown): value is Json =>
  typeof value === 'object' && value !== null && !Array.isArray(value);

/**
 * The declaration file a package's types come from, by package.json: `types`/`typings`, the `.`
 * export's `types`, else the `.d.ts` beside `main`, else `index.d.ts`. Undefined for a path that
 * leaves the package.
 */
export function typesEntry(manifest: Json): string | undefined {
  const dot = isObject(manifest.exports) ? (manifest.exports['.'] ?? manifest.exports) : undefined;
  const fromExports = isObject(dot) && typeof dot.types === 'string' ? dot.types : undefined;
  const main = typeof manifest.main === 'string' ? manifest.main.replace(/\.[cm]?js$/, '') : undefined;
  const declared = [manifest.types, manifest.typings, fromExports].find((v) => typeof v === 'string') as
    string | undefined;
  const entry = posix.normalize(declared ?? (main === undefined ? 'index.d.ts' : `${main}.d.ts`));
  return entry.startsWith('../') || entry.startsWith('/') || entry === '..'
    ? undefined
    : entry.replace(/^\.\//, '');
}

function parseManifest(text: string | undefined): Json {
  try {
    const parsed: unknown = JSON.parse(text ?? '{}');
    return isObject(parsed) ? parsed : {};
  } catch {
    return {};
  }
}

/**
 * An npm package's changelog and the declaration file of its types entry, from its tarball (in
 * memory, within the archive bounds). The tarball is read twice, the second time for the one
 * file package.json names: no other file is held.
 */
export async function npmContents(
  access: Pick<RegistryAccess, 'assertAllowed' | 'fetch'>,
  tarballUrl: string,
  wanted: ContentsWanted,
): Promise<PackageContents | undefined> {
  const bytes = await fetchArchive(access, 'npm', tarballUrl);
  if (bytes === undefined) return undefined;
  try {
    const top = await readArchive(
      'tar.gz',
      bytes,
      (path) =>
        inTopFolder(path) && (path.endsWith('/package.json') || isChangelogName(posix.basename(path))),
    );
    const out: PackageContents = {};
    if (wanted.changelog) {
      const changelog = pickChangelog(top, inTopFolder);
      if (changelog !== undefined) out.changelog = changelog;
    }
    const manifestPath = [...top.keys()].filter((p) => p.endsWith('/package.json')).sort()[0];
    const entry = typesEntry(parseManifest(manifestPath === undefined ? undefined : top.get(manifestPath)));
    if (wanted.api && manifestPath !== undefined && entry !== undefined) {
      const wantedPath = `${posix.dirname(manifestPath)}/${entry}`;
      const text = (await readArchive('tar.gz', bytes, (path) => path === wantedPath)).get(wantedPath);
      if (text !== undefined) out.api = new Map([[entry, text]]);
    }
    return out;
  } catch {
    return undefined;
  }
}
