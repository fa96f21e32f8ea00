import semver from 'semver';
import { ageInDays, classifyUpdate } from './classify.js';
import { matchesAny, type UpdateSettings } from './settings.js';
import type {
  DeclaredDependency,
  RangeStrategy,
  ReleasedVersion,
  RepoFiles,
  SkippedUpdate,
  UpdateCandidate,
  Updater,
  VersionLookup,
} from './types.js';

/** Registry lookups in flight at once per scan: a repository of 500 dependencies must not open 500. */
const LOOKUP_CONCURRENCY = 8;

export interface FoundUpdates {
  candidates: UpdateCandidate[];
  skipped: SkippedUpdate[];
}

/** Each package looked up once per scan, at most LOOKUP_CONCURRENCY at a time. */
export function cachedLookup(lookup: VersionLookup, concurrency = LOOKUP_CONCURRENCY): VersionLookup {
  const cache = new Map<string, Promise<ReleasedVersion[]>>();
  let running = 0;
  const waiting: (() => void)[] = [];
  const slot = async (): Promise<void> => {
    if (running < concurrency) {
      running += 1;
      return;
    }
    await new Promise<void>((resolve) => waiting.push(resolve));
  };
  const release = (): void => {
    const next = waiting.shift();
    if (next) next();
    else running -= 1;
  };
  return {
    versions(name) {
      let pending = cache.get(name);
      if (!pending) {
        pending = slot().then(() => lookup.versions(name).finally(release));
        cache.set(name, pending);
      }
      return pending;
    },
  };
}

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

/**
 * The newest stable version of each dependency that is allowed, not ignored, not deprecated and old
 * enough; what is newer but held back is listed as skipped with the reason.
 */
export async function findUpdates(
  updater: Updater,
  files: RepoFiles,
  settings: UpdateSettings,
  now: Date,
): Promise<FoundUpdates> {
  const declared = await updater.declared(files);
  const out: FoundUpdates = { candidates: [], skipped: [] };
  if (declared.length === 0) return out;
  const lookup = cachedLookup(await updater.lookup(files));
  const results = await Promise.all(
    declared.map(async (dep) => ({ dep, versions: await lookup.versions(dep.name) })),
  );
  for (const { dep, versions } of results) decide(updater, dep, versions, settings, now, out);
  return out;
}

function decide(
  updater: Updater,
  dep: DeclaredDependency,
  versions: readonly ReleasedVersion[],
  settings: UpdateSettings,
  now: Date,
  out: FoundUpdates,
): void {
  const newer = versions
    .filter((v) => semver.valid(v.version) !== null && semver.prerelease(v.version) === null)
    .filter((v) => semver.gt(v.version, dep.current))
    .sort((a, b) => semver.rcompare(a.version, b.version));
  const newest = newer[0];
  if (newest === undefined) return;
  const skip = (to: string, reason: SkippedUpdate['reason']): void => {
    out.skipped.push({ ecosystem: updater.ecosystem, name: dep.name, from: dep.current, to, reason });
  };
  if (matchesAny(dep.name, settings.ignore)) return skip(newest.version, 'ignored');
  const allowed = settings.allowedVersions[dep.name];
  let firstReason: SkippedUpdate['reason'] | undefined;
  for (const version of newer) {
    const age = ageInDays(version.publishedAt, now);
    const reason: SkippedUpdate['reason'] | undefined =
      allowed !== undefined && !semver.satisfies(version.version, allowed)
        ? 'not_allowed'
        : version.deprecated
          ? 'deprecated'
          : settings.minimumReleaseAgeDays > 0 && (age === undefined || age < settings.minimumReleaseAgeDays)
            ? 'too_young'
            : undefined;
    if (reason !== undefined) {
      firstReason ??= reason;
      continue;
    }
    const type = classifyUpdate(dep.current, version.version);
    const toRange = (updater.newRange ?? newRange)(dep.range, version.version, settings.rangeStrategy);
    if (type === undefined || toRange === undefined) return;
    if (firstReason !== undefined) skip(newest.version, firstReason);
    out.candidates.push({
      ecosystem: updater.ecosystem,
      name: dep.name,
      depType: dep.depType,
      from: dep.current,
      to: version.version,
      type,
      fromRange: dep.range,
      toRange,
      publishedAt: version.publishedAt ?? null,
      ageDays: age ?? null,
    });
    return;
  }
  if (firstReason !== undefined) skip(newest.version, firstReason);
}
