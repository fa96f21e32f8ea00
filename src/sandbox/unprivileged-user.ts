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

/**
 * The sandbox user may write the workspace: a POSIX ACL entry on every file and, as a default ACL,
 * on every folder, so the files host-side git writes later (a checkout, an applied patch) inherit
 * it. Granted once per workspace per process (setfacl is idempotent; a restart grants again).
 */
export function createWorkspaceAccess(uid: number) {
  const granted = new Set<string>();
  return {
    async grant(workspace: string, signal?: AbortSignal): Promise<void> {
      if (granted.has(workspace)) return;
      // Folders rwx (and a default ACL, so what the host writes later inherits the entry), executable
      // files rwx, other files rw: decided from the mode, not with setfacl's `X`, which would count the
      // execute bit an inherited entry carries and make a file look executable (ruff EXE002) on the
      // next grant. The default group entry has no execute for the same reason. -P and find's
      // default: a symlink in the tree is never followed, or a committed `link -> /etc/shadow` would
      // hand the sandbox user the host's file.
      const setfacl = ['-exec', 'setfacl', '-P', '-m'];
      for (const argv of [
        [
          'find',
          workspace,
          '-type',
          'd',
          ...setfacl,
          `u:${uid}:rwx,d:u:${uid}:rwx,d:g::r--`,
          '--',
          '{}',
          '+',
        ],
        ['find', workspace, '-type', 'f', '-perm', '/111', ...setfacl, `u:${uid}:rwx`, '--', '{}', '+'],
        ['find', workspace, '-type', 'f', '!', '-perm', '/111', ...setfacl, `u:${uid}:rw`, '--', '{}', '+'],
      ]) {
        const result = await spawnCapped({
          argv,
          cwd: '/',
          env: { PATH: '/usr/bin:/bin:/usr/sbin:/sbin', LC_ALL: 'C' },
          timeoutMs: 300_000,
          maxOutputBytes: 64 * 1024,
          ...(signal ? { signal } : {}),
        }).catch((error: unknown) => {
          throw new AutodevError(
            'SANDBOX_UNAVAILABLE',
            `${argv[0] ?? ''} is not on PATH: install it with \`apt-get install acl\` (the sandbox user needs write access to the workspace)`,
            { cause: error },
          );
        });
        // A cancelled run reports itself as cancelled when it starts; nothing is granted meanwhile.
        if (result.cancelled) return;
        if (result.exitCode !== 0) {
          throw new AutodevError(
            'SANDBOX_UNAVAILABLE',
            `could not give the sandbox user access to the workspace: ${argv[0] ?? ''}: ${result.stderr.trim()}`,
          );
        }
      }
      granted.add(workspace);
    },
    /** A HOME autodev created (empty) becomes the sandbox user's; what the sandbox writes in it is already. */
    async own(home: string): Promise<void> {
      const info = await stat(home);
      if (info.uid !== uid) await chown(home, uid, uid);
    },
  };
}
