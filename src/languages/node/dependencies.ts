import { parseSyml } from '@yarnpkg/parsers';
import { parse as parseYaml } from 'yaml';
import {
  baseName,
  beside,
  declare,
  emptyLockfile,
  isRecord,
  lock,
  specText,
  tableAt,
} from '../deps/common.js';
import type { DeclaredDependency, EcosystemReader, ParsedLockfile } from '../deps/types.js';

const LOCKFILES = new Set(['package-lock.json', 'npm-shrinkwrap.json', 'pnpm-lock.yaml', 'yarn.lock']);

/** package.json fields and whether what they name is only for development. */
const MANIFEST_FIELDS = [
  ['dependencies', false],
  ['devDependencies', true],
  ['optionalDependencies', false],
  // Peers are installed by npm 7+ and required at run time by the package that names them.
  ['peerDependencies', false],
] as const;

/** Scopes are lowercase on the registry; a name's own case is kept (legacy names such as JSONStream). */
export function normalizeNpmName(name: string): string {
  if (!name.startsWith('@')) return name;
  const slash = name.indexOf('/');
  return slash < 0 ? name : name.slice(0, slash).toLowerCase() + name.slice(slash);
}

/** `name@range` with a scoped name (`@scope/x@1`) split at the `@` after the name. */
export function nameOfDescriptor(descriptor: string): string | undefined {
  const text = descriptor.trim().replace(/^"|"$/g, '');
  const at = text.indexOf('@', 1);
  return at > 0 ? text.slice(0, at) : undefined;
}

function parseJson(text: string): unknown {
  return JSON.parse(text) as unknown;
}

function declaredByFields(
  manifest: Record<string, unknown>,
  into: Map<string, DeclaredDependency>,
  where: string,
): void {
  for (const [field, dev] of MANIFEST_FIELDS) {
    for (const [name, spec] of Object.entries(tableAt(manifest[field], `${where}${field}`))) {
      declare(into, normalizeNpmName(name), specText(spec), dev);
    }
  }
}

/** package-lock.json / npm-shrinkwrap.json, lockfileVersion 1 (nested `dependencies`) or 2/3 (`packages`). */
function parsePackageLock(text: string): ParsedLockfile {
  const doc = parseJson(text);
  if (!isRecord(doc)) throw new Error('expected a JSON object');
  const out = emptyLockfile();
  const packages = tableAt(doc.packages, 'packages');
  for (const [key, entry] of Object.entries(packages)) {
    if (!isRecord(entry)) throw new Error(`packages[${JSON.stringify(key)}] must be an object`);
    const at = key.lastIndexOf('node_modules/');
    if (at < 0) {
      // The root ("") and workspace members: their declared dependencies are the direct ones.
      const declared = new Map<string, DeclaredDependency>();
      declaredByFields(entry, declared, `packages[${JSON.stringify(key)}].`);
      for (const [name, d] of declared)
        out.direct.set(name, { dev: d.dev && (out.direct.get(name)?.dev ?? true) });
      continue;
    }
    // A link points at a workspace member: local code, not a dependency fetched from anywhere.
    if (entry.link === true) continue;
    const name = normalizeNpmName(typeof entry.name === 'string' ? entry.name : key.slice(at + 13));
    const version = typeof entry.version === 'string' ? entry.version : specText(entry.resolved ?? '');
    lock(out.packages, name, version, entry.dev === true);
  }
  if (packages[''] === undefined) walkV1Dependencies(doc.dependencies, out);
  return out;
}

function walkV1Dependencies(deps: unknown, out: ParsedLockfile, depth = 0): void {
  // Nesting mirrors node_modules; a real tree is shallow, a hostile one is not walked forever.
  if (depth > 64) throw new Error('dependencies nest deeper than 64 levels');
  for (const [name, entry] of Object.entries(tableAt(deps, 'dependencies'))) {
    if (!isRecord(entry)) throw new Error(`dependencies[${JSON.stringify(name)}] must be an object`);
    lock(out.packages, normalizeNpmName(name), specText(entry.version ?? ''), entry.dev === true);
    walkV1Dependencies(entry.dependencies, out, depth + 1);
  }
}

/** `/name@1.0.0(peer@2)` (v6), `name@1.0.0` (v9), `/name/1.0.0` (v5) → name and version. */
function splitPnpmKey(key: string): { name: string; version: string } | undefined {
  const bare = key.replace(/^\//, '').replace(/\(.*$/, '');
  const at = bare.indexOf('@', 1);
  if (at > 0) return { name: bare.slice(0, at), version: bare.slice(at + 1) };
  const slash = bare.lastIndexOf('/');
  return slash > 0 ? { name: bare.slice(0, slash), version: bare.slice(slash + 1) } : undefined;
}

function parsePnpmLock(text: string): ParsedLockfile {
  const doc: unknown = parseYaml(text);
  if (!isRecord(doc)) throw new Error('expected a YAML mapping');
  const out = emptyLockfile();
  // Before lockfile v5.3 a single project's dependencies sit at the top level, not under importers.
  const importers = doc.importers === undefined ? { '.': doc } : tableAt(doc.importers, 'importers');
  for (const [id, importer] of Object.entries(importers)) {
    if (!isRecord(importer)) throw new Error(`importers[${JSON.stringify(id)}] must be a mapping`);
    for (const [field, dev] of MANIFEST_FIELDS) {
      for (const name of Object.keys(tableAt(importer[field], `importers[${JSON.stringify(id)}].${field}`))) {
        const n = normalizeNpmName(name);
        out.direct.set(n, { dev: dev && (out.direct.get(n)?.dev ?? true) });
      }
    }
  }
  for (const [key, entry] of Object.entries(tableAt(doc.packages, 'packages'))) {
    const split = splitPnpmKey(key);
    if (!split) throw new Error(`packages key ${JSON.stringify(key)} names no version`);
    const dev = isRecord(entry) && typeof entry.dev === 'boolean' ? entry.dev : undefined;
    lock(out.packages, normalizeNpmName(split.name), split.version, dev);
  }
  return out;
}

/** yarn.lock, classic (v1) and berry: `parseSyml` reads both formats. */
function parseYarnLock(text: string): ParsedLockfile {
  const doc: unknown = parseSyml(text);
  if (!isRecord(doc)) throw new Error('expected yarn lockfile entries');
  const out = emptyLockfile();
  for (const [key, entry] of Object.entries(doc)) {
    if (key === '__metadata') continue;
    if (!isRecord(entry)) throw new Error(`entry ${JSON.stringify(key)} must be a mapping`);
    const name = nameOfDescriptor(key.split(',')[0] ?? '');
    if (name === undefined) throw new Error(`entry ${JSON.stringify(key)} names no package`);
    const version = specText(entry.version ?? '');
    // Berry lists workspace members themselves (`name@workspace:.`): their dependencies are direct.
    if (key.includes('@workspace:')) {
      for (const dep of Object.keys(tableAt(entry.dependencies, `${key}.dependencies`))) {
        out.direct.set(normalizeNpmName(dep), { dev: false });
      }
      continue;
    }
    lock(out.packages, normalizeNpmName(name), version);
  }
  return out;
}

export const npmReader: EcosystemReader = {
  ecosystem: 'npm',
  isManifest: (file) => baseName(file) === 'package.json',
  isLockfile: (file) => LOCKFILES.has(baseName(file)),
  manifestsBeside: (lockfile) => [beside(lockfile, 'package.json')],
  parseManifest(_file, text) {
    const doc = parseJson(text);
    if (!isRecord(doc)) throw new Error('expected a JSON object');
    const out = new Map<string, DeclaredDependency>();
    declaredByFields(doc, out, '');
    return Promise.resolve(out);
  },
  parseLockfile(file, text) {
    const name = baseName(file);
    if (name === 'pnpm-lock.yaml') return parsePnpmLock(text);
    if (name === 'yarn.lock') return parseYarnLock(text);
    return parsePackageLock(text);
  },
};
