import { hostname } from 'node:os';

/** A lease owner is `host:pid:nonce`; the scheduler makes one per process. */
export function newLeaseOwner(): string {
  return `${hostname()}:${process.pid}:${Math.random().toString(36).slice(2, 8)}`;
}

/**
 * True when the owner is a process of this host that no longer runs (killed, crashed): its tasks can be
 * taken over at once. Owners on other hosts are left to their lease's expiry.
 */
export function isDeadLocalOwner(owner: string): boolean {
  const [host, pidText] = owner.split(':');
  if (host !== hostname()) return false;
  const pid = Number(pidText);
  if (!Number.isInteger(pid) || pid <= 0) return false;
  if (pid === process.pid) return false;
  try {
    process.kill(pid, 0);
    return false;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'ESRCH';
  }
}
