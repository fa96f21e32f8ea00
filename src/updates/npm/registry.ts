import { z } from 'zod';
import type { AutodevError } from '../../errors.js';
import { readBoundedText, registryUnreachable } from '../read-bounded.js';
import type { ReleasedVersion, RepoFiles } from '../types.js';

/** The parts of a packument (the registry's document of a package) an update reads. */
const Packument = z.object({
  versions: z
    .record(
      z.string(),
      z
        .object({
          deprecated: z.unknown().optional(),
          dist: z.object({ tarball: z.string().optional() }).loose().optional(),
        })
        .loose(),
    )
    .default({}),
  time: z.record(z.string(), z.string()).default({}),
});

/** A packument of a package with thousands of versions runs to megabytes; past this it is refused. */
const MAX_PACKUMENT_BYTES = 32 * 1024 * 1024;
const LOOKUP_TIMEOUT_MS = 30_000;

/**
 * The registries of a repository as its `.npmrc` names them (`registry=`, `@scope:registry=`), over
 * the machine's own npm configuration; nothing else is ever asked.
 */
export interface NpmRegistries {
  /** The default registry's URL, ending in `/`. */
  defaultUrl: string;
  scoped: Record<string, string>;
}

/** `key=value` lines of an .npmrc (`;` and `#` comments); `${VAR}` values are left out (never expanded). */
export function parseNpmrc(text: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const raw of text.split(/\r?\n/)) {
    const line = raw.trim();
    if (line === '' || line.startsWith(';') || line.startsWith('#')) continue;
    const eq = line.indexOf('=');
    if (eq <= 0) continue;
    const value = line.slice(eq + 1).trim();
    if (value.includes('${')) continue;
    out[line.slice(0, eq).trim()] = value;
  }
  return out;
}

/** The repository's .npmrc settings (npm and pnpm read their registries there). */
export async function npmrcSettings(files: RepoFiles): Promise<Record<string, string>> {
  return parseNpmrc((await files.read('.npmrc')) ?? '');
}

export function withSlash(url: string): string {
  return url.endsWith('/') ? url : `${url}/`;
}

export function registryFor(registries: NpmRegistries, name: string): string {
  const scope = name.startsWith('@') ? name.slice(0, name.indexOf('/')) : undefined;
  return (scope !== undefined ? registries.scoped[scope] : undefined) ?? registries.defaultUrl;
}

/** The package's document URL: a scoped name keeps its `@` and escapes its `/` (the registry API). */
export function packumentUrl(registry: string, name: string): string {
  return `${withSlash(registry)}${name.startsWith('@') ? `@${encodeURIComponent(name.slice(1))}` : encodeURIComponent(name)}`;
}

/**
 * Every published version of `name` with its publication time and deprecation, from the registry's
 * API. UPDATE_REGISTRY_UNREACHABLE names the registry and the reason when it cannot be read; a
 * package the registry does not know has no versions.
 */
export async function fetchNpmVersions(
  registry: string,
  name: string,
  fetchImpl: typeof fetch = fetch,
): Promise<ReleasedVersion[]> {
  const url = packumentUrl(registry, name);
  let response: Response;
  try {
    response = await fetchImpl(url, {
      headers: { accept: 'application/json' },
      redirect: 'error',
      signal: AbortSignal.timeout(LOOKUP_TIMEOUT_MS),
    });
  } catch (error) {
    const reason = (error as { cause?: { code?: string } }).cause?.code ?? (error as Error).message;
    throw unreachable(registry, name, reason, error);
  }
  if (response.status === 404) {
    await response.body?.cancel();
    return [];
  }
  if (!response.ok) {
    await response.body?.cancel();
    throw unreachable(registry, name, `HTTP ${String(response.status)}`);
  }
  const text = await readBoundedText(response, MAX_PACKUMENT_BYTES, (size) =>
    unreachable(registry, name, `document ${size}`),
  );
  let doc: z.infer<typeof Packument>;
  try {
    doc = Packument.parse(JSON.parse(text));
  } catch (error) {
    throw unreachable(registry, name, 'the answer is not a package document', error);
  }
  return Object.entries(doc.versions).map(([version, meta]) => ({
    version,
    publishedAt: doc.time[version],
    deprecated: typeof meta.deprecated === 'string' && meta.deprecated !== '',
    ...(meta.dist?.tarball === undefined ? {} : { archive: meta.dist.tarball }),
  }));
}

function unreachable(registry: string, name: string, reason: string, cause?: unknown): AutodevError {
  return registryUnreachable('npm', 'npm registry', registry, name, reason, cause);
}
