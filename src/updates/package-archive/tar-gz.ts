import { promisify } from 'node:util';
import { gunzip } from 'node:zlib';
import { Parser, type ReadEntry } from 'tar';
import { CappedText, checkedEntryPath, refused } from './entry-path.js';
import type { ArchiveReader } from './types.js';

const gunzipAsync = promisify(gunzip);
/** The tar is handed to the parser in slices, yielding between them: a large one never holds the event loop long. */
const SLICE_BYTES = 1024 * 1024;

/** Regular files in tar's type names (a `0`, a NUL and a `7` type flag). */
const FILE_TYPES = new Set(['File', 'OldFile', 'ContiguousFile']);

/**
 * A gzip'd tar (npm's tarball, a .crate, a Python sdist): unpacked in memory with the unpacked size
 * capped before the tar is walked, then walked with tar's own parser.
 */
export const tarGzReader: ArchiveReader = {
  format: 'tar.gz',
  async read(bytes, pick, limits) {
    let tar: Buffer;
    try {
      // On libuv's thread pool: a 16 MiB tarball takes a while to unpack, the server keeps serving.
      tar = await gunzipAsync(bytes, { maxOutputLength: limits.maxUnpackedBytes });
    } catch (error) {
      const code = (error as { code?: string }).code;
      throw code === 'ERR_BUFFER_TOO_LARGE'
        ? refused(`unpacks to over ${String(limits.maxUnpackedBytes)} bytes`)
        : refused(`not gzip: ${(error as Error).message}`);
    }
    return walk(tar, pick, limits);
  },
};

function walk(
  tar: Buffer,
  pick: (path: string) => boolean,
  limits: { maxEntries: number; maxFileBytes: number; maxPickedBytes: number },
): Promise<Map<string, string>> {
  return new Promise((resolve, reject) => {
    const out = new Map<string, string>();
    let entries = 0;
    let picked = 0;
    let failed = false;
    const fail = (error: Error): void => {
      if (failed) return;
      failed = true;
      reject(error);
    };
    const parser = new Parser({
      onReadEntry: (entry: ReadEntry) => {
        entries += 1;
        let path: string;
        try {
          if (entries > limits.maxEntries) throw refused(`more than ${String(limits.maxEntries)} entries`);
          path = checkedEntryPath(entry.path);
        } catch (error) {
          entry.resume();
          fail(error as Error);
          parser.abort(error as Error);
          return;
        }
        if (!FILE_TYPES.has(entry.type) || picked >= limits.maxPickedBytes || !pick(path)) {
          entry.resume();
          return;
        }
        const text = new CappedText(Math.min(limits.maxFileBytes, limits.maxPickedBytes - picked));
        entry.on('data', (chunk: Buffer) => text.add(chunk));
        entry.on('end', () => {
          const value = text.text();
          picked += Buffer.byteLength(value);
          if (!out.has(path)) out.set(path, value);
        });
      },
    });
    parser.on('end', () => {
      if (!failed) resolve(out);
    });
    parser.on('error', (error: Error) => fail(refused(`not a tar archive: ${error.message}`)));
    parser.on('abort', (error: Error) => fail(error));
    void (async () => {
      for (let at = 0; at < tar.length && !failed; at += SLICE_BYTES) {
        parser.write(tar.subarray(at, at + SLICE_BYTES));
        await new Promise((next) => setImmediate(next));
      }
      parser.end();
    })();
  });
}
