import { mkdir } from 'node:fs/promises';
import path from 'node:path';
import { checkSha256, exists, run, unpackTarGz } from './archive.js';

/**
 * A package version's published tarball, fetched once with npm's own client into the cache and
 * checked against the pinned sha256, then unpacked beside it. Returns the unpacked folder.
 */
export async function fetchNpmPackage(
  cacheDir: string,
  name: string,
  version: string,
  sha256: string,
): Promise<string> {
  const tarballs = path.join(cacheDir, 'npm');
  const unpacked = path.join(cacheDir, 'src', `${name}-${version}`);
  if (await exists(path.join(unpacked, 'package.json'))) return unpacked;
  await mkdir(tarballs, { recursive: true });
  const tarball = path.join(tarballs, `${name.replace('@', '').replace('/', '-')}-${version}.tgz`);
  if (!(await exists(tarball)))
    await run('npm', ['pack', `${name}@${version}`, '--pack-destination', tarballs, '--silent'], {
      timeout: 120_000,
    });
  await checkSha256(tarball, sha256, `${name}@${version}`);
  await unpackTarGz(tarball, unpacked);
  return unpacked;
}
