import { ageInDays } from './classify.js';
import { changelogExcerpt } from './release-notes/excerpt.js';
import { SEMVER_VERSIONING } from './semver-versioning.js';
import { matchesAny, type UpdateSettings } from './settings.js';
import type {
  DeclaredDependency,
  ReleasedVersion,
  RepoFiles,
  SkippedUpdate,
  UpdateCandidate,
  Updater,
  VersionLookup,
} from './types.js';

export { newRange } from './semver-versioning.js';

/** Registry lookups in flight at once per scan: a repository of 500 dependencies must not open 500. */
const LOOKUP_CONCURRENCY = 8;

export interface FoundUpdates {
  candidates: UpdateCandidate[];
  skipped: SkippedUpdate[];
  /**
   * The changelog's sections from a candidate's `from` (excluded) to its `to`, where the registry
   * offers a changelog: read only for the updates a scan proposes, not for every candidate.
   */
  releaseNotes?: (candidate: UpdateCandidate) => Promise<string | undefined>;
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
    ...(lookup.changelog === undefined
      ? {}
      : {
          changelog: async (name: string, version: ReleasedVersion) => {
            await slot();
            try {
              return await lookup.changelog?.(name, version);
            } finally {
              release();
            }
          },
        }),
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
  const scheme = updater.versioning ?? SEMVER_VERSIONING;
  out.releaseNotes = async (candidate) => {
    const released = (await lookup.versions(candidate.name)).find((v) => v.version === candidate.to);
    const text = released === undefined ? undefined : await lookup.changelog?.(candidate.name, released);
    return text === undefined ? undefined : changelogExcerpt(text, candidate.from, candidate.to, scheme);
  };
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
  const scheme = updater.versioning ?? SEMVER_VERSIONING;
  const newer = versions
    .filter((v) => scheme.isStable(v.version) && scheme.compare(v.version, dep.current) > 0)
    .sort((a, b) => scheme.compare(b.version, a.version));
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
      allowed !== undefined && !scheme.satisfies(version.version, allowed)
        ? 'not_allowed'
        : version.yanked === true
          ? 'yanked'
          : version.deprecated
            ? 'deprecated'
            : settings.minimumReleaseAgeDays > 0 &&
                (age === undefined || age < settings.minimumReleaseAgeDays)
              ? 'too_young'
              : undefined;
    if (reason !== undefined) {
      firstReason ??= reason;
      continue;
    }
    const type = scheme.classify(dep.current, version.version);
    const toRange = scheme.newRange(dep.range, version.version, settings.rangeStrategy);
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
      ...(dep.manifest === undefined ? {} : { manifest: dep.manifest }),
    });
    return;
  }
  if (firstReason !== undefined) skip(newest.version, firstReason);
}
