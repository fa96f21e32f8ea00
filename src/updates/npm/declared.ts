import semver from 'semver';
import { z } from 'zod';
import { AutodevError } from '../../errors.js';
import type { DeclaredDependency, DepType } from '../types.js';

/** The package.json sections an update may change, and the dependency type each declares. */
export const SECTIONS: Readonly<Record<string, DepType>> = {
  dependencies: 'prod',
  devDependencies: 'dev',
  optionalDependencies: 'optional',
};

export function sectionOf(depType: DepType): string {
  const entry = Object.entries(SECTIONS).find(([, type]) => type === depType);
  return entry?.[0] ?? 'dependencies';
}

const Manifest = z.record(z.string(), z.unknown());
const LockV2 = z.object({
  packages: z.record(z.string(), z.object({ version: z.string().optional() }).loose()).optional(),
});

function parse(file: string, text: string): unknown {
  try {
    return JSON.parse(text) as unknown;
  } catch (error) {
    throw new AutodevError('VALIDATION_FAILED', `${file} is not valid JSON: ${(error as Error).message}`, {
      details: { file },
    });
  }
}

/**
 * The registry dependencies of the root package.json: ranges only (a git URL, `file:`, `workspace:`
 * or an `npm:` alias is not a registry version to update). The version in use is the lockfile's
 * (`lockedOf`, the repository's package manager reading its own lockfile), or the lowest the range
 * allows when there is no lockfile.
 */
export function declaredNpmDependencies(
  manifest: string,
  lockedOf?: (names: readonly string[]) => Map<string, string>,
): DeclaredDependency[] {
  const doc = Manifest.safeParse(parse('package.json', manifest));
  if (!doc.success) throw new AutodevError('VALIDATION_FAILED', 'package.json: expected a JSON object');
  const ranged: Omit<DeclaredDependency, 'current'>[] = [];
  for (const [section, depType] of Object.entries(SECTIONS)) {
    const deps = doc.data[section];
    if (typeof deps !== 'object' || deps === null) continue;
    for (const [name, range] of Object.entries(deps)) {
      if (typeof range !== 'string' || semver.validRange(range) === null || range.trim() === '') continue;
      ranged.push({ name, depType, range });
    }
  }
  const locked = lockedOf?.(ranged.map((d) => d.name)) ?? new Map<string, string>();
  const out: DeclaredDependency[] = [];
  for (const dep of ranged) {
    const current = semver.valid(locked.get(dep.name) ?? '') ?? semver.minVersion(dep.range)?.version;
    if (current === undefined || current === null) continue;
    out.push({ ...dep, current });
  }
  return out;
}

/** The versions package-lock.json (v2/v3) resolves these top-level packages to. */
export function lockedNpmVersions(lockfile: string, names: readonly string[]): Map<string, string> {
  const locked = LockV2.safeParse(parse('package-lock.json', lockfile));
  const packages = locked.success ? (locked.data.packages ?? {}) : {};
  const out = new Map<string, string>();
  for (const name of names) {
    const version = packages[`node_modules/${name}`]?.version;
    if (version !== undefined) out.set(name, version);
  }
  return out;
}
