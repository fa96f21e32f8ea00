/** One exported item of a source file: its qualified name and a normalized signature to compare. */
export interface ApiItem {
  /** Qualified within the file: `parse`, `Client.connect`, `Config.timeout`. */
  name: string;
  /** What it is, for the report: function, method, class, struct, field, type, const... */
  kind: string;
  /** Normalized text (comments, whitespace and bodies removed): equal text means an unchanged signature. */
  signature: string;
}

/** An exported item the change removed or whose signature it changed. */
export interface ApiChange {
  file: string;
  name: string;
  kind: string;
  change: 'removed' | 'changed';
  before: string;
  /** The new signature; absent when removed. */
  after?: string;
}

/**
 * The public surface of one language's source files. `extract` only parses (no code of the
 * repository runs) and throws an AutodevError when the text cannot be read as that language.
 */
export interface ApiSurfaceExtractor {
  readonly language: string;
  /** Whether this extractor reads the file and the file can be public API (not a test file). */
  handles(file: string): boolean;
  extract(source: string, file: string, signal?: AbortSignal): Promise<ApiItem[]>;
}
