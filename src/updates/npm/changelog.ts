import { gunzipSync } from 'node:zlib';
import { Parser, type ReadEntry } from 'tar';
import { readBoundedBytes } from '../read-bounded.js';

/** A package tarball past this is not read for its changelog (compressed, then unpacked). */
const MAX_TARBALL_BYTES = 16 * 1024 * 1024;
const MAX_UNPACKED_BYTES = 64 * 1024 * 1024;
/** A changelog file past this is read no further than this. */
const MAX_CHANGELOG_BYTES = 1024 * 1024;
const FETCH_TIMEOUT_MS = 30_000;

/** The files npm packages carry their history in, at the package's root. */
const CHANGELOG_FILE = /^[^/]+\/(?:changelog|history|changes|releases)(?:\.md|\.markdown|\.txt)?$/i;

/**
 * The changelog a published npm package carries, from its tarball on the registry the version list
 * came from (a tarball elsewhere is not fetched: the registry is the one the allow-list let through).
 * Undefined when the package has none or the tarball cannot be read: release notes are a courtesy,
 * never a reason for a scan to fail.
 */
export async function npmChangelog(
  registry: string,
  tarballUrl: string,
  fetchImpl: typeof fetch,
): Promise<string | undefined> {
  if (!sameOrigin(registry, tarballUrl)) return undefined;
  let packed: Buffer;
  try {
    const response = await fetchImpl(tarballUrl, {
      redirect: 'error',
      signal: AbortSignal.timeout(FETCH_TIMEOUT_MS),
    });
    if (!response.ok) {
      await response.body?.cancel();
      return undefined;
    }
    packed = await readBoundedBytes(response, MAX_TARBALL_BYTES, (reason) => new Error(reason));
  } catch {
    return undefined;
  }
  try {
    // A small gzip can unpack to gigabytes: the unpacked size is capped before the tar is read.
    return await changelogInTar(gunzipSync(packed, { maxOutputLength: MAX_UNPACKED_BYTES }));
  } catch {
    return undefined;
  }
}

function sameOrigin(a: string, b: string): boolean {
  try {
    return new URL(a).origin === new URL(b).origin;
  } catch {
    return false;
  }
}

/** The first changelog file in a tar archive held in memory, read up to MAX_CHANGELOG_BYTES. */
export function changelogInTar(tar: Buffer): Promise<string | undefined> {
  return new Promise((resolve, reject) => {
    let found: string | undefined;
    const parser = new Parser({
      onReadEntry: (entry: ReadEntry) => {
        if (found !== undefined || entry.type !== 'File' || !CHANGELOG_FILE.test(entry.path)) {
          entry.resume();
          return;
        }
        const chunks: Buffer[] = [];
        let size = 0;
        entry.on('data', (chunk: Buffer) => {
          if (size >= MAX_CHANGELOG_BYTES) return;
          chunks.push(chunk);
          size += chunk.byteLength;
        });
        entry.on('end', () => {
          found ??= Buffer.concat(chunks).subarray(0, MAX_CHANGELOG_BYTES).toString('utf8');
        });
      },
    });
    parser.on('end', () => resolve(found));
    parser.on('error', reject);
    parser.end(tar);
  });
}
