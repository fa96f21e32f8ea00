import { execFile } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdir, readFile, rename, rm, stat } from 'node:fs/promises';
import { promisify } from 'node:util';

export const run = promisify(execFile);

/** Throws unless the file's sha256 is the pinned one: a registry that served other bytes fails the bench. */
export async function checkSha256(file: string, pinned: string, label: string): Promise<void> {
  const actual = createHash('sha256')
    .update(await readFile(file))
    .digest('hex');
  if (actual !== pinned) throw new Error(`${label}: archive sha256 is ${actual}, pinned ${pinned}`);
}

/**
 * A .tar.gz (npm tarball, sdist, .crate) unpacked into `target` without its top folder. Written
 * beside it first and renamed, so an interrupted run leaves no half tree that looks complete.
 */
export async function unpackTarGz(archive: string, target: string): Promise<void> {
  const partial = `${target}.partial`;
  await rm(partial, { recursive: true, force: true });
  await mkdir(partial, { recursive: true });
  // --no-same-owner and no absolute paths: tar refuses members outside the target by default.
  await run('tar', ['-xzf', archive, '-C', partial, '--strip-components=1', '--no-same-owner'], {
    timeout: 60_000,
  });
  await rename(partial, target);
}

export async function exists(file: string): Promise<boolean> {
  return stat(file).then(
    () => true,
    () => false,
  );
}
