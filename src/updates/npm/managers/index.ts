import type { RepoFiles } from '../../types.js';
import { npmLockManager } from './npm.js';
import { pnpmLockManager } from './pnpm.js';
import type { LockManager, LockManagerName } from './types.js';
import { yarnLockManager } from './yarn.js';

/** One lock step per package manager: a new one is a file and a line here. */
export const LOCK_MANAGERS: Readonly<Record<LockManagerName, LockManager>> = {
  npm: npmLockManager,
  pnpm: pnpmLockManager,
  yarn: yarnLockManager,
};

/** The order the lockfiles are looked for in: setup's (languages/node/setup.ts) order. */
const BY_LOCKFILE: readonly LockManager[] = [LOCK_MANAGERS.pnpm, LOCK_MANAGERS.yarn, LOCK_MANAGERS.npm];

export interface ChosenLockManager {
  manager: LockManager;
  /** The lockfile's text at the base, undefined when the repository keeps none (npm then). */
  lockfile: string | undefined;
}

/**
 * The package manager the repository locks with, chosen by the lockfile present (npm without one),
 * its format checked: UPDATE_UNSUPPORTED names a lockfile version the lock step would not keep.
 */
export async function chooseLockManager(files: RepoFiles): Promise<ChosenLockManager> {
  for (const manager of BY_LOCKFILE) {
    const lockfile = await files.read(manager.lockfile);
    if (lockfile === undefined) continue;
    await manager.checkSupported(lockfile, files);
    return { manager, lockfile };
  }
  return { manager: npmLockManager, lockfile: undefined };
}
