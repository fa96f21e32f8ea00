import { copyFile, lstat, mkdir, readlink, realpath, symlink } from 'node:fs/promises';
import path from 'node:path';
import { AutodevError } from '../errors.js';
import type { RunGit } from '../workspace/run-git.js';

/** A copy holds what git sees: tracked files and untracked ones not ignored, within these limits. */
export interface CopyLimits {
  maxFiles: number;
  maxBytes: number;
}

/** Files copied at once. */
const COPY_CONCURRENCY = 32;

export const DEFAULT_COPY_LIMITS: CopyLimits = { maxFiles: 100_000, maxBytes: 2 * 1024 ** 3 };

/**
 * Copies the work tree of the checkout at `from` into `to` (which must not exist): every tracked
 * file as it is now (with its edits), and every untracked file git does not ignore, so build
 * output, installed dependencies and `.git` stay behind. Links are copied as links, never followed
 * (a link out of the checkout leads nowhere new: the copy is built in the sandbox, which shows only
 * what it binds). A submodule (a folder git lists as one entry) is left out.
 */
export async function copyCheckout(
  runGit: RunGit,
  from: string,
  to: string,
  limits: CopyLimits = DEFAULT_COPY_LIMITS,
): Promise<void> {
  const listed = await runGit(['ls-files', '-z', '--cached', '--others', '--exclude-standard'], {
    cwd: from,
  });
  const files = [...new Set(listed.stdout.split('\0').filter((f) => f.length > 0))];
  if (files.length > limits.maxFiles) {
    throw new AutodevError(
      'LINK_FAILED',
      `${from} has ${files.length} files, over the ${limits.maxFiles} a linked copy may have`,
    );
  }
  await mkdir(to, { recursive: false });
  const realFrom = await realpath(from);
  let bytes = 0;
  // Each folder is checked and made once, however many files it holds.
  const folders = new Map<string, Promise<void>>();
  const folder = (parent: string, file: string): Promise<void> => {
    let ready = folders.get(parent);
    if (ready === undefined) {
      ready = (async () => {
        // A folder of the path replaced by a link (tracked `conf/key`, `conf` now a link to a host
        // folder) would copy a host file into the sandbox's tree: refused, naming the path.
        if ((await realpath(path.join(from, parent))) !== path.join(realFrom, parent)) {
          throw new AutodevError(
            'LINK_FAILED',
            `${file} in ${from} lies behind a link (a folder of its path is a link): refused, it could lead out of the checkout`,
            { details: { file } },
          );
        }
        await mkdir(path.join(to, parent), { recursive: true });
      })();
      folders.set(parent, ready);
    }
    return ready;
  };
  const copyOne = async (file: string): Promise<void> => {
    // git's paths are relative and never hold "..": checked anyway, the listing is repository content.
    const target = path.resolve(to, file);
    if (!target.startsWith(`${to}${path.sep}`)) return;
    const source = path.join(from, file);
    const info = await lstat(source).catch(() => undefined);
    // A tracked file deleted in the work tree is deleted in the copy too.
    if (!info) return;
    await folder(path.dirname(file), file);
    if (info.isSymbolicLink()) {
      await symlink(await readlink(source), target);
    } else if (info.isFile()) {
      bytes += info.size;
      if (bytes > limits.maxBytes) {
        throw new AutodevError(
          'LINK_FAILED',
          `${from} holds more than ${limits.maxBytes} bytes of files: too large for a linked copy`,
        );
      }
      await copyFile(source, target);
    }
  };
  // A few files at a time: the file system's calls overlap, memory stays flat.
  for (let i = 0; i < files.length; i += COPY_CONCURRENCY) {
    await Promise.all(files.slice(i, i + COPY_CONCURRENCY).map(copyOne));
  }
}
