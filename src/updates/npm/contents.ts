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

/** Declaration files read per version, at most, and how deep re-exports are followed. */
const MAX_DECLARATION_FILES = 30;
const MAX_REEXPORT_DEPTH = 3;
/** `export * from './x'`, `export { a } from "./y.js"`: relative re-exports only (linear pattern). */
const REEXPORT = /^[ \t]*export\s+(?:\*(?:\s+as\s+\w+)?|\{[^}]*\})\s+from\s+['"](\.\.?\/[^'"\n]*)['"]/gm;

/** The declaration files a relative specifier may name, by TypeScript's resolution of `.d.ts`. */
function declarationCandidates(fromFile: string, specifier: string): string[] {
  const target = posix.normalize(posix.join(posix.dirname(fromFile), specifier));
  if (target.startsWith('../') || target === '..') return [];
  const stem = target.replace(/\.(?:[cm]?js|d\.[cm]?ts)$/, '');
  return [`${stem}.d.ts`, `${stem}.d.mts`, `${stem}.d.cts`, `${stem}/index.d.ts`];
}

/**
 * The types entry and the declaration files it re-exports (relative `export ... from`), a few
 * levels deep, by their path in the package: what a caller of the package can import. Each level
 * is one more pass over the archive in memory, picking only the files named.
 */
async function declarationFiles(bytes: Buffer, root: string, entry: string): Promise<Map<string, string>> {
  const out = new Map<string, string>();
  let wanted = [entry];
  for (let depth = 0; depth <= MAX_REEXPORT_DEPTH && wanted.length > 0; depth += 1) {
    const names = new Set(wanted.map((file) => `${root}/${file}`));
    const found = await readArchive('tar.gz', bytes, (path) => names.has(path));
    const next: string[] = [];
    for (const [path, text] of found) {
      const file = path.slice(root.length + 1);
      if (out.has(file) || out.size >= MAX_DECLARATION_FILES) continue;
      out.set(file, text);
      for (const match of text.matchAll(REEXPORT)) next.push(...declarationCandidates(file, match[1] ?? ''));
    }
    wanted = [...new Set(next)].filter((file) => !out.has(file));
  }
  return out;
}

/**
 * An npm package's changelog and the declaration file of its types entry, from its tarball (in
 * memory, within the archive bounds). The tarball is read once for package.json and the changelog,
 * then for the declaration files package.json leads to: no other file is held.
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
      const api = await declarationFiles(bytes, posix.dirname(manifestPath), entry);
      if (api.size > 0) out.api = api;
    }
    return out;
  } catch {
    return undefined;
  }
}
