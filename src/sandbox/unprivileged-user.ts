import { chown, stat } from 'node:fs/promises';
import { AutodevError } from '../errors.js';
import { spawnCapped } from './spawn-capped.js';

/**
 * Running as root, autodev must not run a repository's commands as root: RLIMIT_NPROC does not bind
 * uid 0 and root reads /etc/shadow. bwrap still starts as root (it must read the host's toolchains
 * under /root to mount them), and the command is started through setpriv as `uid`, with no
 * capabilities, an empty bounding set and no_new_privs, so no setuid binary gives root back.
 * Running as another user, autodev's own uid is already unprivileged: nothing changes.
 */
export function dropsPrivileges(): boolean {
  return process.getuid?.() === 0;
}

export function dropArgv(uid: number): string[] {
  return [
    'setpriv',
    `--reuid=${uid}`,
    `--regid=${uid}`,
    '--clear-groups',
    '--inh-caps=-all',
    '--bounding-set=-all',
    '--no-new-privs',
    '--',
  ];
}

const ACL_ENV = { PATH: '/usr/bin:/bin:/usr/sbin:/sbin', LC_ALL: 'C' };

function aclMissing(argv0: string, error: unknown): AutodevError {
  return new AutodevError(
    'SANDBOX_UNAVAILABLE',
    `${argv0} is not on PATH: install it with \`apt-get install acl\` (the sandbox user needs write access to the workspace)`,
    { cause: error },
  );
}

/** The folder entries: rwx for the sandbox user, inherited (default ACL) by all that is created inside. */
const folderEntries = (uid: number): string => `u:${uid}:rwx,d:u:${uid}:rwx,d:g::r--`;

/**
 * Grants the sandbox user a new, still empty worktree folder before anything is checked out in it:
 * every file git (or anyone) creates inside inherits the default ACL, so no walk over the files is
 * ever needed, and a recycled worktree keeps its entries when it is moved.
 */
export async function grantAtCreation(dir: string, uid: number): Promise<void> {
  const result = await spawnCapped({
    argv: ['setfacl', '-P', '-m', folderEntries(uid), '--', dir],
    cwd: '/',
    env: ACL_ENV,
    timeoutMs: 30_000,
    maxOutputBytes: 64 * 1024,
  }).catch((error: unknown) => {
    throw aclMissing('setfacl', error);
  });
  if (result.exitCode !== 0) {
    throw new AutodevError(
      'SANDBOX_UNAVAILABLE',
      `could not give the sandbox user access to the new workspace ${dir}: setfacl: ${result.stderr.trim()}`,
    );
  }
}

/** Whether the workspace's root already carries the sandbox user's default ACL (grantAtCreation, or a walk). */
async function rootGranted(workspace: string, uid: number, signal?: AbortSignal): Promise<boolean> {
  const result = await spawnCapped({
    // Without -d: with it getfacl prints the default entries without their `default:` prefix.
    argv: ['getfacl', '-P', '-n', '--omit-header', '--', workspace],
    cwd: '/',
    env: ACL_ENV,
    timeoutMs: 30_000,
    maxOutputBytes: 64 * 1024,
    ...(signal ? { signal } : {}),
  }).catch((error: unknown) => {
    throw aclMissing('getfacl', error);
  });
  return result.exitCode === 0 && new RegExp(`^default:user:${uid}:rwx$`, 'm').test(result.stdout);
}

/**
 * The walk over every file of a workspace made without grantAtCreation: one setfacl per file (in
 * batches). False when cancelled before it finished.
 */
export async function grantByWalk(workspace: string, uid: number, signal?: AbortSignal): Promise<boolean> {
  // Folders rwx (and a default ACL, so what the host writes later inherits the entry), executable
  // files rwx, other files rw: decided from the mode, not with setfacl's `X`, which would count the
  // execute bit an inherited entry carries and make a file look executable (ruff EXE002) on the
  // next grant. The default group entry has no execute for the same reason. -P and find's
  // default: a symlink in the tree is never followed, or a committed `link -> /etc/shadow` would
  // hand the sandbox user the host's file. Folders last and depth first: the root's default entry,
  // which tells the next process the workspace is granted (rootGranted), is the very last one set.
  const setfacl = ['-exec', 'setfacl', '-P', '-m'];
  for (const argv of [
    ['find', workspace, '-type', 'f', '-perm', '/111', ...setfacl, `u:${uid}:rwx`, '--', '{}', '+'],
    ['find', workspace, '-type', 'f', '!', '-perm', '/111', ...setfacl, `u:${uid}:rw`, '--', '{}', '+'],
    ['find', workspace, '-depth', '-type', 'd', ...setfacl, folderEntries(uid), '--', '{}', '+'],
  ]) {
    const result = await spawnCapped({
      argv,
      cwd: '/',
      env: ACL_ENV,
      timeoutMs: 300_000,
      maxOutputBytes: 64 * 1024,
      ...(signal ? { signal } : {}),
    }).catch((error: unknown) => {
      throw aclMissing(argv[0] ?? '', error);
    });
    // A cancelled run reports itself as cancelled when it starts; nothing is granted meanwhile.
    if (result.cancelled) return false;
    if (result.exitCode !== 0) {
      throw new AutodevError(
        'SANDBOX_UNAVAILABLE',
        `could not give the sandbox user access to the workspace: ${argv[0] ?? ''}: ${result.stderr.trim()}`,
      );
    }
  }
  return true;
}

/**
 * The sandbox user may write the workspace: a POSIX ACL entry on every file and, as a default ACL,
 * on every folder, so the files host-side git writes later (a checkout, an applied patch) inherit
 * it. A workspace granted at creation (grantAtCreation: its root carries the default entry) needs
 * nothing more; one made without it (before this version, or by a caller without the hook) is walked
 * once, which also leaves the root's entry, so the walk happens once per workspace, not per process.
 */
export function createWorkspaceAccess(uid: number) {
  const granted = new Set<string>();
  return {
    async grant(workspace: string, signal?: AbortSignal): Promise<void> {
      if (granted.has(workspace)) return;
      if (await rootGranted(workspace, uid, signal)) {
        granted.add(workspace);
        return;
      }
      if (await grantByWalk(workspace, uid, signal)) granted.add(workspace);
    },
    /** A HOME autodev created (empty) becomes the sandbox user's; what the sandbox writes in it is already. */
    async own(home: string): Promise<void> {
      const info = await stat(home);
      if (info.uid !== uid) await chown(home, uid, uid);
    },
  };
}
