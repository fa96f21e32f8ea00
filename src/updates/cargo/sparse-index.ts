import { z } from 'zod';
import { AutodevError } from '../../errors.js';
import { readBoundedText, registryUnreachable } from '../read-bounded.js';
import type { ReleasedVersion } from '../types.js';

/** An index file holds one line per version; the largest crates' run to a few megabytes. */
const MAX_INDEX_FILE_BYTES = 16 * 1024 * 1024;
const LOOKUP_TIMEOUT_MS = 30_000;

/** The fields of an index line an update reads (`pubtime` only in indexes that record it). */
const IndexLine = z.object({
  name: z.string(),
  vers: z.string(),
  yanked: z.boolean().default(false),
  pubtime: z.string().optional(),
});

/**
 * The index's base URL (ending in `/`) from a cargo index address. Only the sparse protocol
 * (`sparse+http(s)://`) is plain HTTP; a git index would need a clone of the whole index.
 */
export function sparseIndexBase(indexUrl: string): string {
  const match = /^sparse\+(https?:\/\/.+)$/.exec(indexUrl.trim());
  if (!match?.[1]) {
    throw new AutodevError(
      'UPDATE_REGISTRY_UNREACHABLE',
      `cargo: registry index ${indexUrl} is not a sparse index (sparse+https://...); only sparse indexes are looked up`,
      { details: { ecosystem: 'cargo', registry: indexUrl } },
    );
  }
  return match[1].endsWith('/') ? match[1] : `${match[1]}/`;
}

/** The index file of a crate: `1/a`, `2/ab`, `3/a/abc`, `ab/cd/abcd…`, lower case (cargo's layout). */
export function indexPath(crate: string): string {
  const name = crate.toLowerCase();
  if (name.length <= 2) return `${String(name.length)}/${name}`;
  if (name.length === 3) return `3/${name.slice(0, 1)}/${name}`;
  return `${name.slice(0, 2)}/${name.slice(2, 4)}/${name}`;
}

/** A crate name as cargo allows it: nothing that could leave the index's folder. */
const CRATE_NAME = /^[A-Za-z0-9_-]{1,64}$/;

/**
 * Every published version of `crate` from a sparse index, yanked ones marked, with `pubtime` as the
 * publication time when the index records it (older indexes do not: publishedAt is then undefined).
 * A crate the index does not know has no versions; anything else unreadable is
 * UPDATE_REGISTRY_UNREACHABLE naming the index and the crate.
 */
export async function fetchSparseIndexVersions(
  base: string,
  crate: string,
  fetchImpl: typeof fetch = fetch,
): Promise<ReleasedVersion[]> {
  if (!CRATE_NAME.test(crate)) return [];
  const url = `${base}${indexPath(crate)}`;
  let response: Response;
  try {
    response = await fetchImpl(url, { redirect: 'error', signal: AbortSignal.timeout(LOOKUP_TIMEOUT_MS) });
  } catch (error) {
    const reason = (error as { cause?: { code?: string } }).cause?.code ?? (error as Error).message;
    throw unreachable(base, crate, reason, error);
  }
  // cargo's own reading: these say the crate does not exist.
  if (response.status === 404 || response.status === 410 || response.status === 451) {
    await response.body?.cancel();
    return [];
  }
  if (!response.ok) {
    await response.body?.cancel();
    throw unreachable(base, crate, `HTTP ${String(response.status)}`);
  }
  const text = await readBoundedText(response, MAX_INDEX_FILE_BYTES, (size) =>
    unreachable(base, crate, `index file ${size}`),
  );
  const out: ReleasedVersion[] = [];
  for (const raw of text.split('\n')) {
    if (raw.trim() === '') continue;
    let line: z.infer<typeof IndexLine>;
    try {
      line = IndexLine.parse(JSON.parse(raw));
    } catch (error) {
      throw unreachable(base, crate, 'the answer is not an index file', error);
    }
    if (line.name.toLowerCase() !== crate.toLowerCase()) continue;
    out.push({ version: line.vers, publishedAt: line.pubtime, deprecated: false, yanked: line.yanked });
  }
  return out;
}

function unreachable(base: string, crate: string, reason: string, cause?: unknown): AutodevError {
  return registryUnreachable('cargo', 'cargo registry index', base, crate, reason, cause);
}
