import { isAutodevError } from '../../errors.js';
import {
  compareItems,
  type ApiChange,
  type ApiItem,
  type ApiSurface,
} from '../../languages/api-surface/index.js';

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
 * readers (parsing only: no code of the package runs), each file read once per side. Added exports
 * are the removed ones of the comparison the other way round.
 */
export async function dependencyApiDiff(
  surface: ApiSurface,
  before: ReadonlyMap<string, string>,
  after: ReadonlyMap<string, string>,
  signal?: AbortSignal,
): Promise<DependencyApiDiff> {
  const all = [...new Set([...before.keys(), ...after.keys()])].filter((f) => surface.covers(f)).sort();
  const out: DependencyApiDiff = { removed: [], changed: [], added: [], unread: all.slice(MAX_API_FILES) };
  for (const file of all.slice(0, MAX_API_FILES)) {
    signal?.throwIfAborted();
    let old: ApiItem[];
    let now: ApiItem[];
    try {
      old = await itemsOf(surface, file, before.get(file), signal);
      now = await itemsOf(surface, file, after.get(file), signal);
    } catch (error) {
      if (!isAutodevError(error, 'SOURCE_UNPARSABLE')) throw error;
      out.unread.push(file);
      continue;
    }
    for (const change of compareItems(file, old, now)) {
      (change.change === 'removed' ? out.removed : out.changed).push(change);
    }
    out.added.push(...compareItems(file, now, old).filter((c) => c.change === 'removed'));
  }
  return out;
}

async function itemsOf(
  surface: ApiSurface,
  file: string,
  source: string | undefined,
  signal?: AbortSignal,
): Promise<ApiItem[]> {
  return source === undefined ? [] : ((await surface.items(file, source, signal)) ?? []);
}
