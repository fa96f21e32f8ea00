import { mkdir, readdir } from 'node:fs/promises';
import path from 'node:path';
import { checkSha256, exists, run, unpackTarGz } from './archive.js';

/**
 * A PyPI release's source distribution (the sdist carries the changelog and the whole tree; a wheel
 * has neither), fetched once with pip's own client into the cache, checked against the pinned
 * sha256 and unpacked. Returns the unpacked folder.
 */
export async function fetchPypiPackage(
  cacheDir: string,
  name: string,
  version: string,
  sha256: string,
): Promise<string> {
  const unpacked = path.join(cacheDir, 'src', `pypi-${name}-${version}`);
  if (await exists(path.join(unpacked, 'PKG-INFO'))) return unpacked;
  // One folder per release: sdist file names differ in case and separators between releases.
  const downloads = path.join(cacheDir, 'pypi', `${name}-${version}`);
  await mkdir(downloads, { recursive: true });
  let sdist = await onlySdist(downloads);
  if (sdist === undefined) {
    await run(
      'pip',
      [
        'download',
        '--no-deps',
        '--no-binary',
        ':all:',
        '--quiet',
        '--dest',
        downloads,
        `${name}==${version}`,
      ],
      { timeout: 300_000 },
    );
    sdist = await onlySdist(downloads);
  }
  if (sdist === undefined) throw new Error(`pypi ${name}==${version}: pip left no .tar.gz sdist`);
  await checkSha256(sdist, sha256, `pypi ${name}==${version}`);
  await unpackTarGz(sdist, unpacked);
  return unpacked;
}

async function onlySdist(dir: string): Promise<string | undefined> {
  const found = (await readdir(dir)).filter((file) => file.endsWith('.tar.gz'));
  return found.length === 1 && found[0] !== undefined ? path.join(dir, found[0]) : undefined;
}
