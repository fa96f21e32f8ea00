import { explain, satisfies, valid, compare } from '@renovatebot/pep440';
import type { RangeStrategy, UpdateType, Versioning } from '../types.js';

/** A clause that sets the range's floor: its version is the one a bump moves. */
const FLOOR_CLAUSE = /^(===|==|>=|~=)(\s*)([^\s*]+)$/;

/** `~=1.4` keeps its precision: to 1.5.2 it becomes `~=1.5` (at least two release segments). */
function compatibleFloor(old: string, to: string): string {
  const segments = Math.max(2, (explain(old)?.release ?? []).length);
  const release = explain(to)?.release ?? [];
  return release.slice(0, segments).join('.');
}

/**
 * A PEP 440 specifier (`==1.0.0`, `>=1.2, <2`, `~=1.4`) that admits `to`: `pin` writes `==to`;
 * `replace` and `widen` keep one that admits it already (PEP 440 has no "or" to widen with); `bump`,
 * and the others when it does not admit it, move the floor clauses (`==`, `>=`, `~=`) to `to`,
 * keeping the other clauses and the spacing. Undefined when no floor moves or the result still
 * excludes `to` (an upper bound: a person decides on that).
 */
export function newPythonRange(range: string, to: string, strategy: RangeStrategy): string | undefined {
  if (strategy === 'pin') return `==${to}`;
  const trimmed = range.trim();
  // A bare name (pip-tools' `.in`): its lock alone changes.
  if (trimmed === '') return '';
  if ((strategy === 'replace' || strategy === 'widen') && satisfies(to, trimmed)) return trimmed;
  let moved = false;
  const parts = trimmed.split(/(\s*,\s*)/).map((part, index) => {
    if (index % 2 === 1) return part;
    const floor = FLOOR_CLAUSE.exec(part);
    if (floor === null) return part;
    const [, op = '', space = '', version = ''] = floor;
    moved = true;
    if (op !== '~=') return `${op}${space}${to}`;
    const kept = compatibleFloor(version, to);
    return `${op}${space}${kept === compatibleFloor(version, version) ? to : kept}`;
  });
  const out = parts.join('');
  return moved && satisfies(to, out) ? out : undefined;
}

/** Epoch, major and minor (a missing segment is 0). */
function triple(version: string): [number, number, number] {
  const parsed = explain(version);
  const [major = 0, minor = 0] = parsed?.release ?? [];
  return [parsed?.epoch ?? 0, major, minor];
}

/**
 * patch, minor or major by the release segments, as semver reads them: below 1.0 a minor step is
 * major (it may break, as on npm); a post-release or a fourth segment is a patch.
 */
export function classifyPython(from: string, to: string): UpdateType | undefined {
  if (valid(from) === null || valid(to) === null || compare(to, from) <= 0) return undefined;
  const [fromEpoch, fromMajor, fromMinor] = triple(from);
  const [toEpoch, toMajor, toMinor] = triple(to);
  if (toEpoch !== fromEpoch || toMajor !== fromMajor) return 'major';
  if (toMinor !== fromMinor) return fromMajor === 0 ? 'major' : 'minor';
  return 'patch';
}

/** PEP 440 versions and specifiers, through `@renovatebot/pep440`. */
export const PEP440_VERSIONING: Versioning = {
  isStable: (version) => {
    const parsed = explain(version);
    return parsed !== null && !parsed.is_prerelease && !parsed.is_devrelease;
  },
  compare: (a, b) => compare(a, b),
  classify: classifyPython,
  newRange: newPythonRange,
  satisfies: (version, range) => satisfies(version, range),
};
