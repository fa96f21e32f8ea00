import semver from 'semver';
import type { RangeStrategy } from '../types.js';

/** One comparator of a Cargo version requirement: `1.2`, `^1.2.3`, `~1.2`, `=1.2.3`, `>=1, <2`, `1.*`. */
const COMPARATOR = /^(\^|~|=|>=|<=|>|<)?\s*(\d+|\*)(?:\.(\d+|\*))?(?:\.(\d+|\*))?(-[0-9A-Za-z.-]+)?$/;

/**
 * A Cargo requirement as a node-semver range, or undefined when it is not one. Cargo's bare version
 * is a caret (`1.2` means `^1.2`), its comparators are separated by commas; caret and tilde mean the
 * same in both (below 1.0.0 a caret stays within the minor, below 0.1.0 within the patch).
 */
export function cargoRange(requirement: string): string | undefined {
  const parts = requirement.split(',').map((part) => part.trim());
  if (parts.length === 0 || parts.some((part) => part === '')) return undefined;
  const out: string[] = [];
  for (const part of parts) {
    if (part === '*') {
      out.push('*');
      continue;
    }
    const match = COMPARATOR.exec(part);
    if (!match) return undefined;
    const op = match[1] ?? '';
    const version = part.slice(op.length).trim();
    const wildcard = version.includes('*');
    // `1.*` is what `1` means; a bare version with no wildcard is a caret.
    out.push(op === '' && !wildcard ? `^${version}` : `${op}${version}`);
  }
  const range = out.join(' ');
  return semver.validRange(range) === null ? undefined : range;
}

/** Whether `version` meets the Cargo requirement (false for a requirement that is not one). */
export function cargoSatisfies(version: string, requirement: string): boolean {
  const range = cargoRange(requirement);
  return range !== undefined && semver.satisfies(version, range);
}

/**
 * The requirement that admits `to` (Renovate's strategies in Cargo's syntax): `bump` writes `to` in
 * the requirement's own operator (`1.2` to `1.4.1`, `~1.2.0` to `~1.4.1`), `replace` and `widen` keep
 * a requirement that already admits it (Cargo has no `||` to widen with, so otherwise they bump),
 * `pin` writes `=to`. Undefined for a requirement of several comparators that does not admit `to`.
 */
export function newCargoRequirement(
  requirement: string,
  to: string,
  strategy: RangeStrategy,
): string | undefined {
  const trimmed = requirement.trim();
  if (strategy === 'pin') return `=${to}`;
  if ((strategy === 'replace' || strategy === 'widen') && cargoSatisfies(to, trimmed)) return trimmed;
  const simple = /^(\^|~|=|>=)?\s*\d+(?:\.\d+){0,2}(?:-[0-9A-Za-z.-]+)?$/.exec(trimmed);
  if (!simple) return undefined;
  return `${simple[1] ?? ''}${to}`;
}
