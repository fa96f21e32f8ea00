import type { Readable } from 'node:stream';
import yauzl, { type Entry, type ZipFile } from 'yauzl';
import { CappedText, checkedEntryPath, refused } from './entry-path.js';
import type { ArchiveLimits, ArchiveReader, PickEntry } from './types.js';

/** The file-type bits of a Unix mode in an entry's external attributes (links are never read). */
const S_IFMT = 0o170000;
const S_IFREG = 0o100000;
/** The host that wrote the entry (the high byte of "version made by"): 3 is Unix, whose modes count. */
const UNIX_HOST = 3;

/** A folder entry's name ends in `/`; a Unix entry with a type other than a regular file is a link or a device. */
function isRegularFile(entry: Entry): boolean {
  if (entry.fileName.endsWith('/')) return false;
  if (entry.versionMadeBy >> 8 !== UNIX_HOST) return true;
  const type = (entry.externalFileAttributes >>> 16) & S_IFMT;
  return type === 0 || type === S_IFREG;
}

/**
 * A zip (a Python wheel, a Go module zip) through yauzl, from memory: the central directory's entry
 * count is checked before any entry is read, only the picked entries are inflated, each one's
 * declared size is held to its real size by yauzl, and reading stops at the file's cap.
 */
export const zipReader: ArchiveReader = {
  format: 'zip',
  async read(bytes, pick, limits) {
    let zip: ZipFile;
    try {
      // Names are decoded and checked here (checkedEntryPath), not by yauzl, so a bad one names itself.
      zip = await yauzl.fromBufferPromise(bytes, {
        lazyEntries: true,
        decodeStrings: true,
        strictFileNames: true,
        validateEntrySizes: true,
      });
    } catch (error) {
      throw refused(`not a zip archive: ${(error as Error).message}`);
    }
    try {
      if (zip.entryCount > limits.maxEntries) {
        throw refused(`more than ${String(limits.maxEntries)} entries (${String(zip.entryCount)})`);
      }
      return await readEntries(zip, pick, limits);
    } finally {
      zip.close();
    }
  },
};

async function readEntries(
  zip: ZipFile,
  pick: PickEntry,
  limits: ArchiveLimits,
): Promise<Map<string, string>> {
  const out = new Map<string, string>();
  let picked = 0;
  let declared = 0;
  for (;;) {
    const entry = await nextEntry(zip);
    if (entry === undefined) return out;
    const path = checkedEntryPath(entry.fileName);
    declared += entry.uncompressedSize;
    if (declared > limits.maxUnpackedBytes) {
      throw refused(`unpacks to over ${String(limits.maxUnpackedBytes)} bytes`);
    }
    if (!isRegularFile(entry) || !entry.canDecodeFileData() || out.has(path)) continue;
    if (picked >= limits.maxPickedBytes || !pick(path)) continue;
    const text = await readCapped(zip, entry, Math.min(limits.maxFileBytes, limits.maxPickedBytes - picked));
    picked += Buffer.byteLength(text);
    out.set(path, text);
  }
}

function nextEntry(zip: ZipFile): Promise<Entry | undefined> {
  return new Promise((resolve, reject) => {
    const cleanup = (): void => {
      zip.off('entry', onEntry);
      zip.off('end', onEnd);
      zip.off('error', onError);
    };
    const onEntry = (entry: Entry): void => {
      cleanup();
      resolve(entry);
    };
    const onEnd = (): void => {
      cleanup();
      resolve(undefined);
    };
    const onError = (error: Error): void => {
      cleanup();
      // yauzl's own checks of names and sizes: a hostile or broken archive.
      reject(refused(error.message));
    };
    zip.on('entry', onEntry);
    zip.on('end', onEnd);
    zip.on('error', onError);
    zip.readEntry();
  });
}

async function readCapped(zip: ZipFile, entry: Entry, max: number): Promise<string> {
  let stream: Readable;
  try {
    stream = await zip.openReadStreamPromise(entry);
  } catch (error) {
    throw refused(`entry ${entry.fileName}: ${(error as Error).message}`);
  }
  const text = new CappedText(max);
  try {
    for await (const chunk of stream) {
      text.add(chunk as Buffer);
      if (text.full) break;
    }
  } catch (error) {
    throw refused(`entry ${entry.fileName}: ${(error as Error).message}`);
  } finally {
    stream.destroy();
  }
  return text.text();
}
