/** Registry coordinates of one pinned archive: where the corpus downloads it from, and its sha256. */
import type { CorpusSource } from './types.js';

const PYPI = 'https://files.pythonhosted.org/packages';

export function pypi(name: string, version: string, pathPart: string, sha256: string): CorpusSource {
  return { registry: 'pypi', name, version, url: `${PYPI}/${pathPart}/${name}-${version}.tar.gz`, sha256 };
}
export function crate(name: string, version: string, sha256: string): CorpusSource {
  const url = `https://static.crates.io/crates/${name}/${name}-${version}.crate`;
  return { registry: 'crates.io', name, version, url, sha256 };
}
export function goModule(name: string, version: string, sha256: string): CorpusSource {
  return {
    registry: 'goproxy',
    name,
    version,
    url: `https://proxy.golang.org/${name}/@v/${version}.zip`,
    sha256,
  };
}
export function npm(name: string, version: string, sha256: string): CorpusSource {
  const url = `https://registry.npmjs.org/${name}/-/${name}-${version}.tgz`;
  return { registry: 'npm', name, version, url, sha256 };
}

/**
 * A release the ecosystem's own client downloads (bench/corpus/client-fetch.ts): no address and no
 * pinned sha256 here; the client checks what it fetched against its registry.
 */
export function viaClient(registry: CorpusSource['registry'], name: string, version: string): CorpusSource {
  return { registry, name, version, url: '', sha256: '' };
}
