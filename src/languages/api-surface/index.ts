import { isAutodevError } from '../../errors.js';
import { LANGUAGES } from '../index.js';
import type { ApiChange, ApiItem, ApiSurfaceExtractor } from './types.js';

export type { ApiChange, ApiItem, ApiSurfaceExtractor } from './types.js';

/** A file's text on one side of the change; undefined when it does not exist there. */
export type ReadSide = (side: 'base' | 'head', file: string) => Promise<string | undefined>;

export interface ApiDiff {
  /** Exported items removed or with a changed signature. Added items change nothing for callers. */
  changes: ApiChange[];
  /** Files whose public API could not be read (not parseable): the check cannot say they are unchanged. */
  unreadable: { file: string; reason: string }[];
}

export interface ApiSurface {
  /** Whether some language reads this file as public API. */
  covers(file: string): boolean;
  diff(files: readonly string[], read: ReadSide, signal?: AbortSignal): Promise<ApiDiff>;
  /**
   * One file's exported items, by the language that reads it (undefined when none does);
   * SOURCE_UNPARSABLE when the text cannot be read as that language.
   */
  items(file: string, source: string, signal?: AbortSignal): Promise<ApiItem[] | undefined>;
}

/** Registry of the languages whose public API autodev compares. */
export function createApiSurface(deps: { env: Readonly<Record<string, string>> }): ApiSurface {
  // Each language's own reader (languages/<name>/api-surface.ts).
  const extractors: readonly ApiSurfaceExtractor[] = Object.values(LANGUAGES).map((language) =>
    language.apiSurface(deps),
  );
  const extractorFor = (file: string) => extractors.find((e) => e.handles(file));
  return {
    covers: (file) => extractorFor(file) !== undefined,
    items: async (file, source, signal) => extractorFor(file)?.extract(source, file, signal),
    async diff(files, read, signal) {
      const changes: ApiChange[] = [];
      const unreadable: ApiDiff['unreadable'] = [];
      for (const file of files) {
        signal?.throwIfAborted();
        const extractor = extractorFor(file);
        if (!extractor) continue;
        const before = await read('base', file);
        // A new file adds API; it cannot remove or change any.
        if (before === undefined) continue;
        const after = await read('head', file);
        try {
          const old = await extractor.extract(before, file, signal);
          const now = after === undefined ? [] : await extractor.extract(after, file, signal);
          changes.push(...compareItems(file, old, now));
        } catch (error) {
          if (!isAutodevError(error, 'SOURCE_UNPARSABLE')) throw error;
          unreadable.push({ file, reason: error.message });
        }
      }
      return { changes, unreadable };
    },
  };
}

export function compareItems(
  file: string,
  before: readonly ApiItem[],
  after: readonly ApiItem[],
): ApiChange[] {
  const now = new Map(after.map((i) => [i.name, i]));
  const changes: ApiChange[] = [];
  for (const item of before) {
    const current = now.get(item.name);
    if (!current)
      changes.push({ file, name: item.name, kind: item.kind, change: 'removed', before: item.signature });
    else if (current.signature !== item.signature) {
      changes.push({
        file,
        name: item.name,
        kind: item.kind,
        change: 'changed',
        before: item.signature,
        after: current.signature,
      });
    }
  }
  return changes;
}

/** One line per change, for the task's constraint details and the pull request body. */
export function describeApiChange(change: ApiChange): string {
  return change.change === 'removed'
    ? `${change.file}: ${change.kind} ${change.name} removed (was: ${change.before})`
    : `${change.file}: ${change.kind} ${change.name} changed from \`${change.before}\` to \`${change.after ?? ''}\``;
}
