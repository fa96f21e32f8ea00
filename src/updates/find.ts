import { ageInDays } from './classify.js';
import { changelogExcerpt } from './release-notes/excerpt.js';
import { SEMVER_VERSIONING } from './semver-versioning.js';
import { matchesAny, type UpdateSettings } from './settings.js';
import type {
  ContentsWanted,
  DeclaredDependency,
  ReleasedVersion,
  RepoFiles,
  SkippedUpdate,
  UpdateCandidate,
  Updater,
  VersionLookup,
  Versioning,
} from './types.js';

export { newRange } from './semver-versioning.js';

/** Registry lookups in flight at once per scan: a repository of 500 dependencies must not open 500. */
const LOOKUP_CONCURRENCY = 8;

export interface FoundUpdates {
  candidates: UpdateCandidate[];
  skipped: SkippedUpdate[];
  /**
   * What the published archives tell about a candidate: its changelog's sections from `from`
   * (excluded) to `to`, and the public API's sources of both versions, where the registry offers
   * archives. Read only for the updates a scan proposes, not for every candidate.
   */
  details?: (candidate: UpdateCandidate) => Promise<UpdateDetails>;
}

/** A candidate's changelog excerpt and both versions' public API sources (each absent when unread). */
export interface UpdateDetails {
  notes?: string;
  api?: { before: ReadonlyMap<string, string>; after: ReadonlyMap<string, string> };
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
    ...(lookup.contents === undefined
      ? {}
      : {
          contents: async (name: string, version: ReleasedVersion, wanted: ContentsWanted) => {
            await slot();
            try {
              return await lookup.contents?.(name, version, wanted);
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
  out.details = (candidate) => readDetails(lookup, scheme, candidate);
  return out;
}

/** The new version's archive for its changelog and API, the old one's for its API only (one at a time). */
async function readDetails(
  lookup: VersionLookup,
  scheme: Versioning,
  candidate: UpdateCandidate,
): Promise<UpdateDetails> {
  const released = await lookup.versions(candidate.name);
  const to = released.find((v) => v.version === candidate.to);
  const from = released.find((v) => v.version === candidate.from);
  const after =
    to === undefined
      ? undefined
      : await lookup.contents?.(candidate.name, to, { changelog: true, api: true });
  const out: UpdateDetails = {};
  const notes =
    after?.changelog === undefined
      ? undefined
      : changelogExcerpt(after.changelog, candidate.from, candidate.to, scheme);
  if (notes !== undefined) out.notes = notes;
  if (after?.api === undefined || from === undefined) return out;
  const before = await lookup.contents?.(candidate.name, from, { changelog: false, api: true });
  if (before?.api !== undefined) out.api = { before: before.api, after: after.api };
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
