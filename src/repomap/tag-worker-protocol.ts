import type { MapRequest } from './rank-and-render.js';
import type { RepoMap, RepoMapLanguage } from './types.js';

/** One batch of files to parse (and, for a map, to rank and render), posted to the tag worker. */
export interface TagJob {
  id: number;
  files: { path: string; language: RepoMapLanguage; text: string }[];
  parseTimeoutMs: number;
  /**
   * When the batch must end (epoch ms, one clock for the whole process): files not reached by then
   * come back unparsed. Set by the parent, so a worker that was slow to start spends its own budget
   * and still answers before the parent's timer ends it.
   */
  deadline: number;
  /** A shared Int32 the parent sets to 1 to stop the batch (a cancelled task): checked during parses. */
  cancel: SharedArrayBuffer;
  /** Rank and render the map too; absent for a warm-up, which only fills the worker's tag cache. */
  map?: MapRequest;
}

/** The worker's answer. */
export interface TagJobResult {
  id: number;
  /** Per file, in order: whether it was parsed (false: time ran out, or cancelled). */
  parsed: boolean[];
  /** The ranked, rendered map of the parsed files, when the job asked for one. */
  map?: Omit<RepoMap, 'skipped'>;
  /** Set when the batch could not be parsed at all (a grammar that did not load). */
  failed?: string;
}

/** A light check of the worker's answer (a full schema parse would cost the main thread per symbol). */
export function isTagJobResult(value: unknown): value is TagJobResult {
  if (typeof value !== 'object' || value === null) return false;
  const { id, parsed, map } = value as Partial<TagJobResult>;
  return (
    typeof id === 'number' &&
    Array.isArray(parsed) &&
    parsed.every((entry) => typeof entry === 'boolean') &&
    (map === undefined ||
      (typeof map === 'object' &&
        typeof map.text === 'string' &&
        typeof map.tokens === 'number' &&
        Array.isArray(map.ranked)))
  );
}
