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
 * argv to put in front of a child so the kernel kills it when the server dies (PR_SET_PDEATHSIG
 * through util-linux `setpriv`): a SIGKILLed server must leave no `git push` behind to race the
 * restarted one. Empty when setpriv is not installed; the children then outlive a killed server, and
 * delivery's reconciliation with the remote is what keeps it correct.
 */
export function dieWithParentPrefix(searchPath: string | undefined): string[] {
  const key = searchPath ?? '';
  let prefix = cache.get(key);
  if (prefix === undefined) {
    const setpriv = findOnPath('setpriv', searchPath);
    prefix = setpriv === undefined ? [] : [setpriv, '--pdeathsig', 'KILL', '--'];
    cache.set(key, prefix);
  }
  return prefix;
}
