import semver from 'semver';
import { AutodevError } from '../../errors.js';
import { goModLines, type GoModLine } from '../../languages/go/dependencies.js';
import type { DeclaredDependency } from '../types.js';

/** A module path as go.mod writes one: no spaces, quotes or other characters a path cannot hold. */
const MODULE_PATH = /^[A-Za-z0-9][A-Za-z0-9._~/-]{0,499}$/;
/** A release: `v1.2.3`, a pre-release and build suffix allowed (`+incompatible`). */
const GO_VERSION = /^v\d{1,9}\.\d{1,9}\.\d{1,9}(?:-[0-9A-Za-z.-]{1,200})?(?:\+[0-9A-Za-z.-]{1,100})?$/;

export function isGoVersion(version: string): boolean {
  return GO_VERSION.test(version) && semver.valid(version) !== null;
}

/** A released version, neither a pre-release nor a pseudo-version (which is a pre-release too) nor `+incompatible`. */
export function isGoRelease(version: string): boolean {
  return isGoVersion(version) && semver.prerelease(version) === null && !version.includes('+');
}

/**
 * The major version a module path admits: `/v2` (or gopkg.in's `.v2`) ends a v2+ path; any other
 * path holds v0 and v1 (a v2+ release of it is `+incompatible`, not proposed). A major across paths
 * (example.com/m to example.com/m/v2) is a different module, so it is never an update of this one.
 */
export function pathMajors(modulePath: string): readonly number[] {
  const last = modulePath.slice(modulePath.lastIndexOf('/') + 1);
  const gopkg = modulePath.startsWith('gopkg.in/') ? /\.v(\d{1,9})$/.exec(last)?.[1] : undefined;
  if (gopkg !== undefined) return [Number(gopkg)];
  const suffix = /^v(\d{1,9})$/.exec(last)?.[1];
  return suffix !== undefined && Number(suffix) >= 2 ? [Number(suffix)] : [0, 1];
}

function parse(text: string): GoModLine[] {
  try {
    return goModLines(text);
  } catch (error) {
    throw new AutodevError('VALIDATION_FAILED', `go.mod: ${(error as Error).message}`, {
      details: { file: 'go.mod' },
    });
  }
}

/**
 * go.mod's direct requirements at released versions. Left out: `// indirect` ones (what the direct
 * ones need, moved by `go mod tidy`), a module a `replace` swaps for something else, and one at a
 * pseudo-version, a pre-release or `+incompatible` (no release line to move along).
 */
export function declaredGoDependencies(goMod: string): DeclaredDependency[] {
  const lines = parse(goMod);
  const replaced = new Set(lines.filter((l) => l.verb === 'replace').map((l) => l.args[0]));
  const out: DeclaredDependency[] = [];
  for (const line of lines) {
    if (line.verb !== 'require') continue;
    const [modulePath, version] = line.args;
    if (modulePath === undefined || version === undefined || line.args.length !== 2) continue;
    if (!MODULE_PATH.test(modulePath) || replaced.has(modulePath) || !isGoRelease(version)) continue;
    if (/(^|;)\s*indirect\s*($|;)/.test(line.comment)) continue;
    if (!pathMajors(modulePath).includes(semver.major(version))) continue;
    out.push({ name: modulePath, depType: 'prod', range: version, current: version });
  }
  return out;
}

/** One `retract` of a go.mod: a version or a closed interval of them. */
export interface Retraction {
  low: string;
  high: string;
}

/** The `retract` directives of a module's go.mod (its newest version's go.mod is the one that counts). */
export function goRetractions(goMod: string): Retraction[] {
  const out: Retraction[] = [];
  for (const line of parse(goMod)) {
    if (line.verb !== 'retract') continue;
    const text = line.args.join(' ');
    const interval = /^\[\s*(\S+?)\s*,\s*(\S+?)\s*\]$/.exec(text);
    const [low, high] = interval ? [interval[1], interval[2]] : [text, text];
    if (low !== undefined && high !== undefined && isGoVersion(low) && isGoVersion(high))
      out.push({ low, high });
  }
  return out;
}

export function isRetracted(version: string, retractions: readonly Retraction[]): boolean {
  return retractions.some((r) => semver.gte(version, r.low) && semver.lte(version, r.high));
}

/**
 * The version go.sum holds for each of these modules: the highest one listed, which after `go mod
 * tidy` is the one the build selects (go.sum keeps older versions' go.mod lines the graph still names).
 */
export function lockedGoVersions(goSum: string, names: readonly string[]): Map<string, string> {
  const wanted = new Set(names);
  const out = new Map<string, string>();
  for (const raw of goSum.split('\n')) {
    const [modulePath, versionField] = raw.trim().split(/\s+/);
    if (modulePath === undefined || versionField === undefined || !wanted.has(modulePath)) continue;
    const version = versionField.replace(/\/go\.mod$/, '');
    if (!isGoVersion(version)) continue;
    const known = out.get(modulePath);
    if (known === undefined || semver.gt(version, known)) out.set(modulePath, version);
  }
  return out;
}
