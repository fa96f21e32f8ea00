import { realpath } from 'node:fs/promises';
import path from 'node:path';
import { AutodevError, type ErrorCode } from '../errors.js';

/** True when `child` is `parent` or lies below it (both absolute and normalized). */
export function isWithin(child: string, parent: string): boolean {
  return child === parent || child.startsWith(parent.endsWith('/') ? parent : `${parent}/`);
}

export interface RealPathInsideOptions {
  /** What the path is, for the error: "project root", "search path", "sandbox cwd". */
  what: string;
  /** Code of the error thrown when the path leaves the root; WORKSPACE_ESCAPE unless said. */
  errorCode?: ErrorCode;
}

/**
 * The one containment check for paths that come from the repository or the model: the real path of
 * `candidate` (every symlink, `..` and `.git` indirection resolved by the kernel) must lie inside the
 * real path of `root`. Returns that real path, which is what a caller must use from then on: a bind
 * mount, a cwd, a search root. A path that does not exist is refused too, since its real target
 * cannot be known.
 */
export async function realPathInside(
  root: string,
  candidate: string,
  options: RealPathInsideOptions,
): Promise<string> {
  const code = options.errorCode ?? 'WORKSPACE_ESCAPE';
  const realRoot = await realpath(root).catch((error: unknown) => {
    throw new AutodevError('WORKSPACE_MISSING', `workspace ${root} does not exist`, { cause: error });
  });
  const absolute = path.resolve(root, candidate);
  const real = await realpath(absolute).catch((error: unknown) => {
    throw new AutodevError(code, `${options.what} ${JSON.stringify(candidate)} does not exist`, {
      cause: error,
      details: { path: candidate },
    });
  });
  if (!isWithin(real, realRoot)) {
    throw new AutodevError(
      code,
      `${options.what} ${JSON.stringify(candidate)} leaves the workspace (it resolves to a path outside it)`,
      { details: { path: candidate } },
    );
  }
  return real;
}
