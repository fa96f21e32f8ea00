import { z } from 'zod';
import { fetchArchive } from '../package-archive/fetch.js';
import { readArchive } from '../package-archive/index.js';
import type { RegistryAccess } from '../registry-access.js';
import { readBoundedText } from '../read-bounded.js';
import { inTopFolder, isChangelogName, pickChangelog } from '../release-notes/changelog-file.js';
import type { ContentsWanted, PackageContents } from '../types.js';

/** An index's config.json is a few lines; past this it is no config. */
const MAX_CONFIG_BYTES = 64 * 1024;
const CONFIG_TIMEOUT_MS = 30_000;
const IndexConfig = z.object({ dl: z.string() }).loose();
const MARKER = /\{(?:crate|version|prefix|lowerprefix|sha256-checksum)\}/;

/** The index folder of a crate in the crate's own case (`{prefix}`): `1`, `2`, `3/a`, `ab/cd`. */
function prefixOf(crate: string): string {
  if (crate.length <= 2) return String(crate.length);
  if (crate.length === 3) return `3/${crate.slice(0, 1)}`;
  return `${crate.slice(0, 2)}/${crate.slice(2, 4)}`;
}

/**
 * A crate's download URL from the index's `dl` template, as cargo builds it: the markers replaced,
 * or `/{crate}/{version}/download` appended when it has none. Undefined for a template that wants
 * the checksum (not kept by the lookup).
 */
export function crateDownloadUrl(dl: string, crate: string, version: string): string | undefined {
  const encoded = encodeURIComponent(version);
  if (!MARKER.test(dl)) return `${dl.replace(/\/+$/, '')}/${crate}/${encoded}/download`;
  if (dl.includes('{sha256-checksum}')) return undefined;
  return dl
    .replaceAll('{crate}', crate)
    .replaceAll('{version}', encoded)
    .replaceAll('{lowerprefix}', prefixOf(crate).toLowerCase())
    .replaceAll('{prefix}', prefixOf(crate));
}

/** The index's `dl` template from its config.json, or undefined when it cannot be read. */
export async function fetchDownloadTemplate(
  base: string,
  fetchImpl: typeof fetch,
): Promise<string | undefined> {
  try {
    const response = await fetchImpl(`${base}config.json`, {
      redirect: 'error',
      signal: AbortSignal.timeout(CONFIG_TIMEOUT_MS),
    });
    if (!response.ok) {
      await response.body?.cancel();
      return undefined;
    }
    const text = await readBoundedText(response, MAX_CONFIG_BYTES, (size) => new Error(size));
    return IndexConfig.parse(JSON.parse(text)).dl;
  } catch {
    return undefined;
  }
}

/**
 * A crate's changelog from its `.crate` (a gzip'd tar of `NAME-VERSION/`), downloaded from where the
 * index's config.json says, when that host is on the allow-list. A crate's public API is not read.
 */
export async function cargoContents(
  access: Pick<RegistryAccess, 'assertAllowed' | 'fetch'>,
  url: string,
  wanted: ContentsWanted,
): Promise<PackageContents | undefined> {
  if (!wanted.changelog) return undefined;
  const bytes = await fetchArchive(access, 'cargo', url);
  if (bytes === undefined) return undefined;
  try {
    const files = await readArchive(
      'tar.gz',
      bytes,
      (path) => inTopFolder(path) && isChangelogName(path.slice(path.indexOf('/') + 1)),
    );
    const changelog = pickChangelog(files, inTopFolder);
    return changelog === undefined ? {} : { changelog };
  } catch {
    return undefined;
  }
}
