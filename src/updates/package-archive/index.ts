import { tarGzReader } from './tar-gz.js';
import type { ArchiveFormat, ArchiveLimits, ArchiveReader, PickEntry } from './types.js';
import { zipReader } from './zip.js';

export type { ArchiveFormat, ArchiveLimits, PickEntry } from './types.js';

/** One reader per format (package-archive/<format>.ts). */
const READERS: Record<ArchiveFormat, ArchiveReader> = { 'tar.gz': tarGzReader, zip: zipReader };

/**
 * The bounds every package archive is read within: release notes and a public API are a few files
 * of a package, never a reason to hold much of it in memory.
 */
export const PACKAGE_ARCHIVE_LIMITS: ArchiveLimits = {
  maxEntries: 20_000,
  maxUnpackedBytes: 64 * 1024 * 1024,
  maxFileBytes: 1024 * 1024,
  maxPickedBytes: 4 * 1024 * 1024,
};

/** The text of the regular files `pick` chooses, by entry path; ARCHIVE_REFUSED past a bound. */
export function readArchive(
  format: ArchiveFormat,
  bytes: Buffer,
  pick: PickEntry,
  limits: ArchiveLimits = PACKAGE_ARCHIVE_LIMITS,
): Promise<Map<string, string>> {
  return READERS[format].read(bytes, pick, limits);
}

/** The format a download's name says (`.whl` and `.zip` are zips; `.tgz`, `.tar.gz`, `.crate` gzip'd tars). */
export function formatOfName(name: string): ArchiveFormat | undefined {
  if (/\.(?:whl|zip)$/i.test(name)) return 'zip';
  if (/\.(?:tgz|tar\.gz|crate)$/i.test(name)) return 'tar.gz';
  return undefined;
}
