import semver from 'semver';
import type { UpdateType } from './types.js';

/**
 * patch, minor or major from `from` to `to` (both valid semver). Below 1.0.0 a minor step is major,
 * as npm's and Cargo's caret treat it (`^0.2.0` does not take 0.3.0): it may break, like any major;
 * below 0.1.0 even a patch step is (`^0.0.3` takes only 0.0.3).
 */
export function classifyUpdate(from: string, to: string): UpdateType | undefined {
  const kind = semver.diff(from, to);
  if (kind === null || semver.lte(to, from)) return undefined;
  if (kind === 'major' || kind === 'premajor') return 'major';
  if (kind === 'minor' || kind === 'preminor') return semver.major(from) === 0 ? 'major' : 'minor';
  return semver.major(from) === 0 && semver.minor(from) === 0 ? 'major' : 'patch';
}

/** Whole days between a publication time and now; undefined when the time is unknown or unreadable. */
export function ageInDays(publishedAt: string | undefined, now: Date): number | undefined {
  if (publishedAt === undefined) return undefined;
  const published = Date.parse(publishedAt);
  if (Number.isNaN(published)) return undefined;
  return Math.max(0, Math.floor((now.getTime() - published) / 86_400_000));
}
