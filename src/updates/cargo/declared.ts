import semver from 'semver';
import { parse as parseToml } from 'smol-toml';
import { AutodevError } from '../../errors.js';
import type { DeclaredDependency, DepType } from '../types.js';
import { cargoRange } from './requirement.js';

/** The dependency tables of a manifest (Cargo also reads the underscore spellings), dev or not. */
export const CARGO_TABLES: readonly (readonly [string, boolean])[] = [
  ['dependencies', false],
  ['dev-dependencies', true],
  ['dev_dependencies', true],
  ['build-dependencies', false],
  ['build_dependencies', false],
];

type Table = Record<string, unknown>;
const isTable = (value: unknown): value is Table =>
  typeof value === 'object' && value !== null && !Array.isArray(value) && !(value instanceof Date);

export function parseCargoToml(file: string, text: string): Table {
  try {
    return parseToml(text);
  } catch (error) {
    throw new AutodevError('VALIDATION_FAILED', `${file} is not valid TOML: ${(error as Error).message}`, {
      details: { file },
    });
  }
}

/**
 * The registry requirement of one entry, or undefined for what no registry lookup updates: a path or
 * git dependency, one inherited from the workspace (`workspace = true`, updated where it is declared),
 * one from another registry (`registry = "name"`), or one renamed (`package = "..."`: its key is not
 * its crate name, and the edit finds entries by key).
 */
export function registryRequirement(value: unknown): string | undefined {
  if (typeof value === 'string') return value;
  if (!isTable(value)) return undefined;
  for (const key of ['path', 'git', 'workspace', 'registry', 'registry-index', 'package']) {
    if (key in value) return undefined;
  }
  return typeof value.version === 'string' ? value.version : undefined;
}

/** Every dependency table of the manifest, with its path (`target.'cfg(unix)'.dependencies`) and dev flag. */
export function dependencyTables(doc: Table): { path: string[]; table: Table; dev: boolean }[] {
  const out: { path: string[]; table: Table; dev: boolean }[] = [];
  const add = (prefix: string[], owner: Table): void => {
    for (const [name, dev] of CARGO_TABLES) {
      const table = owner[name];
      if (isTable(table)) out.push({ path: [...prefix, name], table, dev });
    }
  };
  add([], doc);
  if (isTable(doc.target)) {
    for (const [target, table] of Object.entries(doc.target)) {
      if (isTable(table)) add(['target', target], table);
    }
  }
  if (isTable(doc.workspace) && isTable(doc.workspace.dependencies)) {
    out.push({ path: ['workspace', 'dependencies'], table: doc.workspace.dependencies, dev: false });
  }
  return out;
}

interface LockedPackage {
  name: string;
  version: string;
  source?: string;
  dependencies: string[];
}

function lockedPackages(lockfile: string): LockedPackage[] {
  const doc = parseCargoToml('Cargo.lock', lockfile);
  const packages = Array.isArray(doc.package) ? doc.package : [];
  return packages.flatMap((entry: unknown): LockedPackage[] => {
    if (!isTable(entry) || typeof entry.name !== 'string' || typeof entry.version !== 'string') return [];
    const deps = Array.isArray(entry.dependencies)
      ? entry.dependencies.filter((d): d is string => typeof d === 'string')
      : [];
    return [
      {
        name: entry.name,
        version: entry.version,
        ...(typeof entry.source === 'string' ? { source: entry.source } : {}),
        dependencies: deps,
      },
    ];
  });
}

const fromRegistry = (p: LockedPackage): boolean =>
  p.source !== undefined && /^(registry|sparse)\+/.test(p.source);

/**
 * The versions Cargo.lock resolves the workspace's direct dependencies `names` to. A crate locked at
 * several versions is named with its version in the depending package's list (`"name 1.2.3"`); one
 * locked once is named alone.
 */
export function lockedCargoVersions(lockfile: string, names: readonly string[]): Map<string, string> {
  const packages = lockedPackages(lockfile);
  const out = new Map<string, string>();
  const own = packages.filter((p) => p.source === undefined);
  for (const name of names) {
    const registry = packages.filter((p) => p.name === name && fromRegistry(p));
    const direct = own
      .flatMap((p) => p.dependencies)
      .map((d) => d.split(' '))
      .filter(([depName]) => depName === name)
      .map(([, version]) => version ?? (registry.length === 1 ? registry[0]?.version : undefined))
      .filter((v): v is string => v !== undefined && registry.some((p) => p.version === v));
    const version =
      direct.sort(semver.rcompare)[0] ?? (registry.length === 1 ? registry[0]?.version : undefined);
    if (version !== undefined) out.set(name, version);
  }
  return out;
}

/**
 * The registry dependencies of the root Cargo.toml (its package's tables, target-specific ones and
 * `[workspace.dependencies]`). A crate declared with two different requirements is left out: one
 * update could not satisfy both, nor could `cargo update -p` tell them apart. The version in use is
 * Cargo.lock's (the newest locked one the requirement admits), else the lowest the requirement allows.
 */
export function declaredCargoDependencies(
  manifest: string,
  lockfile: string | undefined,
): DeclaredDependency[] {
  const doc = parseCargoToml('Cargo.toml', manifest);
  const seen = new Map<string, { requirements: Set<string>; dev: boolean }>();
  for (const { table, dev } of dependencyTables(doc)) {
    for (const [name, value] of Object.entries(table)) {
      const requirement = registryRequirement(value);
      if (requirement === undefined) continue;
      const entry = seen.get(name) ?? { requirements: new Set<string>(), dev: true };
      entry.requirements.add(requirement.trim());
      entry.dev &&= dev;
      seen.set(name, entry);
    }
  }
  const locked = lockfile === undefined ? [] : lockedPackages(lockfile).filter(fromRegistry);
  const out: DeclaredDependency[] = [];
  for (const [name, { requirements, dev }] of seen) {
    const [requirement] = [...requirements];
    if (requirements.size !== 1 || requirement === undefined) continue;
    const range = cargoRange(requirement);
    if (range === undefined) continue;
    const current =
      locked
        .filter((p) => p.name === name && semver.satisfies(p.version, range))
        .map((p) => p.version)
        .sort(semver.rcompare)[0] ?? semver.minVersion(range)?.version;
    if (current === undefined) continue;
    const depType: DepType = dev ? 'dev' : 'prod';
    out.push({ name, depType, range: requirement, current });
  }
  return out;
}
