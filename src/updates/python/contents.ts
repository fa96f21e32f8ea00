import { posix } from 'node:path';
import { fetchArchive } from '../package-archive/fetch.js';
import { formatOfName, readArchive } from '../package-archive/index.js';
import type { RegistryAccess } from '../registry-access.js';
import { inTopFolder, isChangelogName, pickChangelog } from '../release-notes/changelog-file.js';
import type { ContentsWanted, PackageContents } from '../types.js';

/** Modules compared per release, at most (the api-surface reader parses each in a process of its own). */
const MAX_API_MODULES = 30;
/** Folders of an sdist that hold no importable API: tests, docs, examples, build helpers. */
const NOT_API = /(^|\/)(tests?|testing|docs?|examples?|benchmarks?|build|scripts|tools)\//;
const NOT_API_FILE = /^(setup|conftest|noxfile|fabfile|tasks)\.py$/;

/**
 * The description a distribution's metadata carries (PKG-INFO, METADATA): the body after the
 * headers (metadata 2.1 and later), else the `Description:` header with its continuation lines.
 */
export function metadataDescription(metadata: string): string | undefined {
  const text = metadata.replace(/\r\n/g, '\n');
  const blank = text.indexOf('\n\n');
  const body = blank < 0 ? '' : text.slice(blank + 2).trim();
  if (body !== '') return body;
  const lines = text.split('\n');
  const start = lines.findIndex((l) => /^Description:/i.test(l));
  if (start < 0) return undefined;
  const out = [(lines[start] ?? '').replace(/^Description:\s?/i, '')];
  for (const line of lines.slice(start + 1)) {
    const continued = /^(?: {8}\|?|\t\|?)(.*)$/.exec(line);
    if (continued === null) break;
    out.push(continued[1] ?? '');
  }
  const description = out.join('\n').trim();
  return description === '' || description === 'UNKNOWN' ? undefined : description;
}

/**
 * An importable module's path inside a distribution, the same for an sdist and a wheel (the sdist's
 * `NAME-VERSION/` and `src/` dropped), or undefined for what is no public module.
 */
export function modulePath(path: string, sdist: boolean): string | undefined {
  if (!/\.pyi?$/.test(path)) return undefined;
  let rest = path;
  if (sdist) {
    rest = rest.slice(rest.indexOf('/') + 1);
    if (rest.startsWith('src/')) rest = rest.slice(4);
  } else if (/^[^/]+\.(?:dist-info|data)\//.test(rest)) return undefined;
  if (NOT_API.test(rest) || NOT_API_FILE.test(rest)) return undefined;
  return rest;
}

/**
 * A Python release's changelog and modules from its sdist (`NAME-VERSION/` with CHANGELOG files
 * and PKG-INFO) or its wheel (METADATA in `*.dist-info/`): a changelog file wins over the
 * description, which often carries the project's history too.
 */
export async function pythonContents(
  access: Pick<RegistryAccess, 'assertAllowed' | 'fetch'>,
  url: string,
  wanted: ContentsWanted,
): Promise<PackageContents | undefined> {
  const format = formatOfName(new URL(url).pathname);
  if (format === undefined) return undefined;
  const sdist = format === 'tar.gz';
  const isMetadata = (path: string): boolean =>
    sdist ? /^[^/]+\/PKG-INFO$/.test(path) : /^[^/]+\.dist-info\/METADATA$/.test(path);
  const isChangelog = (path: string): boolean =>
    sdist && inTopFolder(path) && isChangelogName(posix.basename(path));
  const bytes = await fetchArchive(access, 'python', url);
  if (bytes === undefined) return undefined;
  try {
    const files = await readArchive(
      format,
      bytes,
      (path) =>
        (wanted.changelog && (isMetadata(path) || isChangelog(path))) ||
        (wanted.api && modulePath(path, sdist) !== undefined),
    );
    const out: PackageContents = {};
    if (wanted.changelog) {
      const metadata = [...files.keys()].find(isMetadata);
      const changelog =
        pickChangelog(files, isChangelog) ??
        (metadata === undefined ? undefined : metadataDescription(files.get(metadata) ?? ''));
      if (changelog !== undefined) out.changelog = changelog;
    }
    if (wanted.api) {
      const modules = [...files.entries()]
        .flatMap(([path, text]) => {
          const module = modulePath(path, sdist);
          return module === undefined ? [] : [[module, text] as const];
        })
        .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
        .slice(0, MAX_API_MODULES);
      if (modules.length > 0) out.api = new Map(modules);
    }
    return out;
  } catch {
    return undefined;
  }
}
