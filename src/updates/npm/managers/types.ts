import type { ManagerRun } from '../../../languages/node/setup.js';
import type { RunProjectCommandOptions } from '../../../languages/types.js';
import type { RepoFiles, UpdateCandidate } from '../../types.js';

/** The package managers whose lockfile a dependency update regenerates (keys of LOCK_MANAGERS). */
export type LockManagerName = 'npm' | 'pnpm' | 'yarn';

/**
 * One package manager's lock step: its lockfile, the formats of it the step drives, and the
 * commands that regenerate it (in the sandbox, with network to the configured registries only).
 */
export interface LockManager {
  readonly name: LockManagerName;
  /** The lockfile at the repository's root that says the repository locks with this manager. */
  readonly lockfile: string;
  /**
   * Throws UPDATE_UNSUPPORTED naming what was found and what is supported when the lockfile is a
   * version the commands would not keep (a pnpm lockfile before v9, a yarn 2+ lockfile), or the
   * repository needs its own code run to lock (pnpm's hooks).
   */
  checkSupported(lockfile: string, files: RepoFiles): Promise<void>;
  /**
   * The repository's registry settings (`registry`, `@scope:registry`) from its own files, later
   * files over earlier ones: what the manager itself would read.
   */
  registrySettings(files: RepoFiles): Promise<Record<string, string>>;
  /** The commands that lock (and install, for the tests) the new versions; see Updater.lockCommands. */
  lockCommands(updates: readonly UpdateCandidate[], hasLockfile: boolean): string[][];
  /**
   * The versions the lockfile resolves these direct dependencies to; `manifest` (package.json's
   * text) tells the dependency's own entry from another version a dependency of it pulls in.
   */
  lockedVersions(lockfile: string, names: readonly string[], manifest?: string): Map<string, string>;
  /** The environment and cache binds of the lock commands (the repository's caches, as setup's). */
  lockRun?(options: RunProjectCommandOptions): Promise<ManagerRun>;
  /**
   * The lock commands may write package.json back in the manager's own layout (yarn 1's upgrade):
   * the edited text is written again after them, so only the version texts change.
   */
  readonly rewritesManifest?: boolean;
}
