/**
 * Registry coordinates of one pinned archive and its sha256. The ecosystem's own client downloads it
 * (client-archive.ts) from the registry it is configured for: no address is written here.
 */
import type { CorpusSource } from './types.js';

/** `_pathPart` was the archive's folder on PyPI's file host, kept so the instances read as before. */
export function pypi(name: string, version: string, _pathPart: string, sha256: string): CorpusSource {
  return { registry: 'pypi', name, version, sha256 };
}
export function crate(name: string, version: string, sha256: string): CorpusSource {
  return { registry: 'crates', name, version, sha256 };
}
export function goModule(name: string, version: string, sha256: string): CorpusSource {
  return { registry: 'goproxy', name, version, sha256 };
}
export function npm(name: string, version: string, sha256: string): CorpusSource {
  return { registry: 'npm', name, version, sha256 };
}

/**
 * A release the ecosystem's own client downloads (bench/corpus/client-fetch.ts): no address and no
 * pinned sha256 here; the client checks what it fetched against its registry.
 */
export function viaClient(registry: CorpusSource['registry'], name: string, version: string): CorpusSource {
  return { registry, name, version, sha256: '' };
}
