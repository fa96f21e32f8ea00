/** The archive formats registries publish packages in. */
export const ARCHIVE_FORMATS = ['tar.gz', 'zip'] as const;
export type ArchiveFormat = (typeof ARCHIVE_FORMATS)[number];

/**
 * Bounds on reading one archive held in memory. A package archive is hostile input: a small gzip
 * or zip can unpack to gigabytes, or hold millions of entries.
 */
export interface ArchiveLimits {
  /** More entries than this (files, folders, links) and the archive is refused. */
  maxEntries: number;
  /** The unpacked size of the whole archive (a tar is unpacked in full to be walked); past it, refused. */
  maxUnpackedBytes: number;
  /** A picked file is read no further than this (its first bytes, cut at a character). */
  maxFileBytes: number;
  /** Picked files together; the files past it are left out. */
  maxPickedBytes: number;
}

/** Which entries to read: `path` is the entry's own name, checked (no `..`, not absolute). */
export type PickEntry = (path: string) => boolean;

/**
 * One archive format's reader: the text of the regular files `pick` chooses, by their entry path.
 * Links and folders are never read; nothing is written to disk. Throws ARCHIVE_REFUSED when the
 * archive breaks a bound or an entry names a path outside the archive.
 */
export interface ArchiveReader {
  readonly format: ArchiveFormat;
  read(bytes: Buffer, pick: PickEntry, limits: ArchiveLimits): Promise<Map<string, string>>;
}
