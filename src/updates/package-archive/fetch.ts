import type { RegistryAccess } from '../registry-access.js';
import { readBoundedBytes } from '../read-bounded.js';

/** A package archive past this is not downloaded for its notes or API (compressed size). */
export const MAX_ARCHIVE_BYTES = 16 * 1024 * 1024;
const FETCH_TIMEOUT_MS = 30_000;

/**
 * A package's published archive, in memory, when its host is one the setup network lets through
 * (the allow-list the registry lookups are checked against: a registry's metadata cannot send
 * autodev elsewhere) and it answers within the size and time bounds. Undefined otherwise: what an
 * archive offers (release notes, a public API) is a courtesy, never a reason for a scan to fail.
 */
export async function fetchArchive(
  access: Pick<RegistryAccess, 'assertAllowed' | 'fetch'>,
  ecosystem: string,
  url: string,
): Promise<Buffer | undefined> {
  try {
    const parsed = new URL(url);
    if (parsed.protocol !== 'https:' && parsed.protocol !== 'http:') return undefined;
    await access.assertAllowed(ecosystem, url);
    const response = await access.fetch(url, {
      redirect: 'error',
      signal: AbortSignal.timeout(FETCH_TIMEOUT_MS),
    });
    if (!response.ok) {
      await response.body?.cancel();
      return undefined;
    }
    return await readBoundedBytes(response, MAX_ARCHIVE_BYTES, (reason) => new Error(reason));
  } catch {
    return undefined;
  }
}
