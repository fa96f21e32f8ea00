import semver from 'semver';
import { classifyUpdate } from './classify.js';
import type { RangeStrategy, Versioning } from './types.js';

/**
 * The range that admits `to`, changing only what the strategy says: `bump` moves the range's own
 * version (`^1.2.0` to `^1.3.1`), `replace` keeps a range that already admits it, `widen` adds it to
 * the range, `pin` writes the exact version. Undefined for a range shape not handled.
 */
export function newRange(range: string, to: string, strategy: RangeStrategy): string | undefined {
  const trimmed = range.trim();
  if (strategy === 'pin') return to;
  if ((strategy === 'replace' || strategy === 'widen') && semver.satisfies(to, trimmed)) return trimmed;
  if (strategy === 'widen') return `${trimmed} || ^${to}`;
  const simple = /^(\^|~|>=|=)?v?(\d+\.\d+\.\d+(?:-[0-9A-Za-z.-]+)?)$/.exec(trimmed);
  if (!simple) return undefined;
  return `${simple[1] ?? ''}${to}`;
}

/** npm's versions and ranges (and any ecosystem on semver). */
export const SEMVER_VERSIONING: Versioning = {
  isStable: (version) => semver.valid(version) !== null && semver.prerelease(version) === null,
  compare: (a, b) => semver.compare(a, b),
  classify: classifyUpdate,
  newRange,
  satisfies: (version, range) => semver.satisfies(version, range),
};
