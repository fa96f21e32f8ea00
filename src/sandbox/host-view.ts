import path from 'node:path';
import { isWithin } from '../workspace/real-path.js';

/** Variables whose value is a toolchain directory a build must still see under a hidden path. */
const TOOLCHAIN_DIRS = ['RUSTUP_HOME', 'CARGO_HOME', 'PYENV_ROOT', 'GOROOT', 'GOPATH', 'GOMODCACHE'] as const;

/**
 * Directories to show again, read-only, inside hidden ones: toolchain homes and the installs
 * behind PATH entries. A PATH entry ending in bin/ or shims/ brings its parent, since the
 * binaries there need their siblings (nvm's node needs ../lib, pyenv's shims need ../libexec).
 */
export function exposedToolchainDirs(
  env: Readonly<Record<string, string>>,
  hidden: readonly string[],
  mounted: readonly string[] = [],
): string[] {
  const candidates = [
    ...TOOLCHAIN_DIRS.map((name) => env[name]),
    ...(env.PATH ?? '')
      .split(':')
      .map((entry) => (/\/(bin|shims)\/?$/.test(entry) ? path.dirname(entry) : entry)),
  ]
    .filter((dir): dir is string => dir !== undefined && path.isAbsolute(dir))
    .map((dir) => path.normalize(dir))
    .filter((dir) => hidden.some((root) => isWithin(dir, root) && dir !== root))
    // A PATH entry inside a folder the command binds anyway (a Python venv in the repo's cache) is
    // mounted by that bind, with its access; a read-only copy mounted earlier on the hidden tmpfs
    // left the venv's python not executable for the sandbox user (EACCES).
    .filter((dir) => !mounted.some((bind) => isWithin(dir, bind)));
  const unique = [...new Set(candidates)].sort();
  // A directory inside one already shown needs no mount of its own.
  return unique.filter((dir) => !unique.some((other) => other !== dir && isWithin(dir, other)));
}

/**
 * bwrap arguments that replace each hidden host path by an empty tmpfs (the server's HOME
 * with its ~/.ssh, git and forge credentials; autodev's data dir with other tasks' workspaces
 * and the database), then show the toolchains inside them again, read-only. Must come after
 * `--ro-bind / /` and before the workspace and HOME binds, which may lie inside a hidden path.
 */
export function hideArgs(
  hidden: readonly string[],
  env: Readonly<Record<string, string>>,
  mounted: readonly string[] = [],
): string[] {
  const roots = [
    ...new Set(hidden.filter((dir) => path.isAbsolute(dir) && dir !== '/').map((dir) => path.normalize(dir))),
  ];
  return [
    ...roots.flatMap((dir) => ['--tmpfs', dir]),
    ...exposedToolchainDirs(env, roots, mounted).flatMap((dir) => ['--ro-bind-try', dir, dir]),
  ];
}
