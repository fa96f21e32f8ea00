import { lockedNpmVersions } from '../declared.js';
import { npmrcSettings } from '../registry.js';
import type { LockManager } from './types.js';

export const NPM_FLAGS = ['--ignore-scripts', '--no-audit', '--no-fund', '--no-update-notifier'];

/** npm: package-lock.json (v2/v3), or no lockfile at all. */
export const npmLockManager: LockManager = {
  name: 'npm',
  lockfile: 'package-lock.json',
  checkSupported: () => Promise.resolve(),
  registrySettings: npmrcSettings,
  lockCommands(updates, hasLockfile) {
    if (!hasLockfile) return [['npm', 'install', '--no-package-lock', ...NPM_FLAGS]];
    // Installs as well as locks: the tests that follow must run against the new versions, not the
    // ones setup installed (install scripts stay off: the tests tell whether that matters).
    const commands = [['npm', 'install', ...NPM_FLAGS]];
    // A range that already admits the new version (range_strategy "replace") changes only the lock;
    // the versions the lock then holds are checked against the intended ones.
    const lockOnly = updates.filter((u) => u.fromRange === u.toRange).map((u) => u.name);
    if (lockOnly.length > 0) commands.push(['npm', 'update', ...NPM_FLAGS, ...lockOnly]);
    return commands;
  },
  lockedVersions: lockedNpmVersions,
};
