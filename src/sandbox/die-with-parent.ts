import { accessSync, constants } from 'node:fs';
import path from 'node:path';

/** What setpriv answers (exit status) when it cannot execute the program it was given. */
export const LAUNCH_FAILED_EXIT = 127;

function findOnPath(program: string, searchPath: string | undefined): string | undefined {
  for (const dir of (searchPath ?? '/usr/bin:/bin').split(':')) {
    if (dir === '') continue;
    const candidate = path.join(dir, program);
    try {
      accessSync(candidate, constants.X_OK);
      return candidate;
    } catch {
      // not here
    }
  }
  return undefined;
}

const cache = new Map<string, string[]>();

/**
 * What the launcher prints when the program is missing: setpriv's own message when it execs the
 * program, the shell's (`sh: 1: exec: git: not found`) when the parent check runs first.
 */
export const LAUNCH_FAILED_MESSAGE = /^setpriv: failed to execute|: exec: .*: not found$/m;

/** The launcher's exit status when its parent died before it could ask to die with it. */
export const PARENT_GONE_EXIT = 125;

/**
 * argv to put in front of a child so the kernel kills it when the server dies (PR_SET_PDEATHSIG
 * through util-linux `setpriv`): a SIGKILLed server must leave no `git push` behind to race the
 * restarted one. The signal only covers a parent that dies after setpriv asked for it: a server
 * killed between the fork and that request (a busy machine stretches the gap) left an orphan. So a
 * shell then checks that its parent is still this process, and runs nothing if it is not. Empty when
 * setpriv is not installed; the children then outlive a killed server, and delivery's reconciliation
 * with the remote is what keeps it correct.
 */
export function dieWithParentPrefix(searchPath: string | undefined): string[] {
  const key = `${String(process.pid)}:${searchPath ?? ''}`;
  let prefix = cache.get(key);
  if (prefix === undefined) {
    const setpriv = findOnPath('setpriv', searchPath);
    const parentCheck = `[ "$PPID" = ${String(process.pid)} ] || exit ${String(PARENT_GONE_EXIT)}; exec "$@"`;
    prefix =
      setpriv === undefined
        ? []
        : [setpriv, '--pdeathsig', 'KILL', '--', '/bin/sh', '-c', parentCheck, 'autodev-launch'];
    cache.set(key, prefix);
  }
  return prefix;
}
