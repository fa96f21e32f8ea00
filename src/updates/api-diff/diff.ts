import type { ApiChange, ApiSurface } from '../../languages/api-surface/index.js';

/** Files of one package compared, at most: each is parsed on both sides (Python: a process each). */
export const MAX_API_FILES = 30;

/** How a dependency's public API moved between the two versions. */
export interface DependencyApiDiff {
  /** Exports the new version no longer has. */
  removed: ApiChange[];
  /** Exports whose signature changed (`before` and `after`). */
  changed: ApiChange[];
  /** Exports only the new version has (a renamed function shows as removed and added). */
  added: ApiChange[];
  /** Files that could not be parsed on one side, or were left out past MAX_API_FILES. */
  unread: string[];
}

/**
 * The public-API diff of a dependency's published sources through the languages' own api-surface
 * readers (parsing only: no code of the package runs). Added exports are the removed ones of the
 * comparison the other way round.
 */
export async function dependencyApiDiff(
  surface: ApiSurface,
  before: ReadonlyMap<string, string>,
  after: ReadonlyMap<string, string>,
  signal?: AbortSignal,
): Promise<DependencyApiDiff> {
  const all = [...new Set([...before.keys(), ...after.keys()])].filter((f) => surface.covers(f)).sort();
  const files = all.slice(0, MAX_API_FILES);
  const forward = await surface.diff(
    files,
    (side, file) => Promise.resolve((side === 'base' ? before : after).get(file)),
    signal,
  );
  const backward = await surface.diff(
    files,
    (side, file) => Promise.resolve((side === 'base' ? after : before).get(file)),
    signal,
  );
  return {
    removed: forward.changes.filter((c) => c.change === 'removed'),
    changed: forward.changes.filter((c) => c.change === 'changed'),
    added: backward.changes.filter((c) => c.change === 'removed'),
    unread: [
      ...new Set([...forward.unreadable, ...backward.unreadable].map((u) => u.file)),
      ...all.slice(MAX_API_FILES),
    ],
  };
}
