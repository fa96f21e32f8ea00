import { mkdtempSync, readdirSync, rmSync, statSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { processAlive } from './process-alive.js';

const swept = new Set<string>();

/**
 * Removes `<tmp>/<prefix><pid>-*` folders of this user whose process has died: a server killed with
 * SIGKILL never runs its exit hooks, and each kill left its temporary folders behind (106 account
 * folders on one test machine). Other users' folders and live processes' are never touched.
 */
function sweepDeadOwners(prefix: string): void {
  const tmp = os.tmpdir();
  const uid = process.getuid?.();
  const pattern = new RegExp(`^${prefix.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}(\\d+)-`);
  let entries: string[];
  try {
    entries = readdirSync(tmp);
  } catch {
    return;
  }
  for (const entry of entries) {
    const pid = Number(pattern.exec(entry)?.[1]);
    if (!Number.isInteger(pid) || pid === process.pid || processAlive(pid)) continue;
    const dir = path.join(tmp, entry);
    try {
      const stat = statSync(dir, { throwIfNoEntry: false });
      if (stat === undefined || !stat.isDirectory() || (uid !== undefined && stat.uid !== uid)) continue;
      rmSync(dir, { recursive: true, force: true });
    } catch {
      // Gone already, or not ours to remove.
    }
  }
}

/**
 * A fresh temporary folder named `<prefix><pid>-XXXXXX`: the pid lets the next process sweep it if
 * this one dies before removing it. The first call per prefix sweeps dead processes' folders.
 */
export function processTempDir(prefix: string): string {
  if (!swept.has(prefix)) {
    swept.add(prefix);
    sweepDeadOwners(prefix);
  }
  return mkdtempSync(path.join(os.tmpdir(), `${prefix}${process.pid}-`));
}
