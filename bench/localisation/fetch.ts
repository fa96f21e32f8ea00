import { mkdir } from 'node:fs/promises';
import { fetchCrate } from './fetch-crate.js';
import { fetchGoModule } from './fetch-go.js';
import { fetchNpmPackage } from './fetch-npm.js';
import { fetchPypiPackage } from './fetch-pypi.js';
import { RELEASE_SHA256 } from './pins-second.js';
import { TARBALL_SHA256 } from './pins.js';

/** Where a release comes from: each is fetched with that ecosystem's own client. */
export type Ecosystem = 'npm' | 'pypi' | 'crates' | 'go';

/** Two consecutive releases of one package: the newer one's release note is the task. */
export interface ReleasePair {
  ecosystem: Ecosystem;
  /** Package, crate or module path, as its client names it. */
  name: string;
  /** Versions without a leading `v` (Go's tags have one; the fetcher adds it). */
  from: string;
  to: string;
}

type Fetcher = (cacheDir: string, name: string, version: string, sha256: string) => Promise<string>;

const FETCHERS: Record<Ecosystem, Fetcher> = {
  npm: fetchNpmPackage,
  pypi: fetchPypiPackage,
  crates: fetchCrate,
  go: fetchGoModule,
};

/** The release's unpacked tree, fetched once into the cache and checked against its pin. */
export async function fetchRelease(
  cacheDir: string,
  ecosystem: Ecosystem,
  name: string,
  version: string,
): Promise<string> {
  await mkdir(cacheDir, { recursive: true });
  return FETCHERS[ecosystem](cacheDir, name, version, pinFor(ecosystem, name, version));
}

export function pinFor(ecosystem: Ecosystem, name: string, version: string): string {
  const sha =
    ecosystem === 'npm'
      ? TARBALL_SHA256[`${name}@${version}`]
      : RELEASE_SHA256[`${ecosystem}:${name}@${version}`];
  if (!sha)
    throw new Error(`no pinned sha256 for ${ecosystem} ${name}@${version} in bench/localisation/pins*.ts`);
  return sha;
}
