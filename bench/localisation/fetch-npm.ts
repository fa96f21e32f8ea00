import { execFile } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdir, readFile, rename, rm, stat } from 'node:fs/promises';
import path from 'node:path';
import { promisify } from 'node:util';

const run = promisify(execFile);

/**
 * A package version's published tarball, fetched once with npm's own client into the cache and
 * checked against the pinned sha256 (a registry that served other bytes fails the bench), then
 * unpacked beside it. Returns the unpacked folder.
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
  const actual = createHash('sha256')
    .update(await readFile(tarball))
    .digest('hex');
  if (actual !== sha256) throw new Error(`${name}@${version}: tarball sha256 is ${actual}, pinned ${sha256}`);
  const partial = `${unpacked}.partial`;
  await rm(partial, { recursive: true, force: true });
  await mkdir(partial, { recursive: true });
  // --no-same-owner and no absolute paths: tar refuses members outside the target by default.
  await run('tar', ['-xzf', tarball, '-C', partial, '--strip-components=1', '--no-same-owner'], {
    timeout: 60_000,
  });
  await rename(partial, unpacked);
  return unpacked;
}

async function exists(file: string): Promise<boolean> {
  return stat(file).then(
    () => true,
    () => false,
  );
}
