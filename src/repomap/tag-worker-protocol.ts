import type { ContentTags } from './tag-parser.js';
import type { RepoMapLanguage } from './types.js';

/** One batch of files to tag, posted to the tag worker. */
export interface TagJob {
  id: number;
  files: { language: RepoMapLanguage; text: string }[];
  parseTimeoutMs: number;
  /** Milliseconds the whole batch may take; files not reached by then come back unparsed. */
  totalTimeoutMs: number;
  /** A shared Int32 the parent sets to 1 to stop the batch (a cancelled task): checked during parses. */
  cancel: SharedArrayBuffer;
}

/** The worker's answer: each file's tags in order, null for a file it did not parse in time. */
export interface TagJobResult {
  id: number;
  tags: (ContentTags | null)[];
  /** Set when the batch could not be parsed at all (a grammar that did not load). */
  failed?: string;
}

/** A light check of the worker's answer (a full schema parse would cost the main thread per name). */
export function isTagJobResult(value: unknown): value is TagJobResult {
  if (typeof value !== 'object' || value === null) return false;
  const { id, tags } = value as Partial<TagJobResult>;
  return (
    typeof id === 'number' &&
    Array.isArray(tags) &&
    tags.every(
      (entry) =>
        entry === null ||
        (typeof entry === 'object' && Array.isArray(entry.definitions) && Array.isArray(entry.references)),
    )
  );
}
