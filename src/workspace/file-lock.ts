import { randomUUID } from 'node:crypto';
import { open, readFile, stat, unlink } from 'node:fs/promises';
import { hostname } from 'node:os';
import { setTimeout as sleep } from 'node:timers/promises';
import { AutodevError, isAutodevError } from '../errors.js';

export interface LockOptions {
  signal?: AbortSignal;
  /** How long to wait for another holder; GIT_FAILED after it. */
  timeoutMs?: number;
}

export interface KeyedLock {
  /** Runs `fn` while holding the lock named by `path` (a lock file), in this process and across processes. */
  run<T>(path: string, fn: () => Promise<T>, options?: LockOptions): Promise<T>;
}

// Identifies this process's lock files: a pid alone is not enough when a restarted container gets the
// same pid (often 1) as the process that crashed holding the lock.
const OWNER_TOKEN = randomUUID();
const HOST = hostname();

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/** A lock file whose holder is gone (crashed) may be taken over; one held on another host never is. */
async function isStale(path: string): Promise<boolean> {
  let text: string;
  let ageMs: number;
  try {
    text = await readFile(path, 'utf8');
    ageMs = Date.now() - (await stat(path)).mtimeMs;
  } catch {
    return false; // vanished meanwhile: the next attempt creates it
  }
  // An empty file is a holder between creating and writing it, unless it stayed empty (crash there).
  if (text === '') return ageMs > 10_000;
  const [pidText = '', host = '', token = ''] = text.split('\n');
  if (host !== HOST) return false;
  const pid = Number(pidText);
  if (!Number.isInteger(pid) || pid <= 0) return true;
  if (pid === process.pid) return token !== OWNER_TOKEN;
  return !isAlive(pid);
}

async function acquireFile(path: string, options: LockOptions): Promise<void> {
  const deadline = Date.now() + (options.timeoutMs ?? 30 * 60_000);
  for (let delay = 20; ; delay = Math.min(delay * 2, 500)) {
    try {
      const handle = await open(path, 'wx');
      await handle.writeFile(`${process.pid}\n${HOST}\n${OWNER_TOKEN}\n`);
      await handle.close();
      return;
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
    }
    if (await isStale(path)) {
      await unlink(path).catch(() => undefined);
      continue;
    }
    if (Date.now() > deadline) {
      throw new AutodevError('GIT_FAILED', `timed out waiting for lock ${path}`);
    }
    await sleep(delay, undefined, { signal: options.signal }).catch((error: unknown) => {
      const reason: unknown = options.signal?.reason;
      if (isAutodevError(reason)) throw reason;
      throw new AutodevError('TASK_CANCELLED', 'cancelled while waiting for a lock', { cause: error });
    });
  }
}

/**
 * Serialises work per lock path: a promise chain within the process (so this process never waits on
 * its own file) and an exclusive lock file between processes sharing the data dir.
 */
export function createKeyedLock(): KeyedLock {
  const tails = new Map<string, Promise<unknown>>();
  return {
    async run(path, fn, options = {}) {
      const previous = tails.get(path) ?? Promise.resolve();
      let release: () => void = () => undefined;
      const mine = new Promise<void>((resolve) => (release = resolve));
      const tail = previous.then(() => mine);
      tails.set(path, tail);
      try {
        await previous;
        await acquireFile(path, options);
        try {
          return await fn();
        } finally {
          await unlink(path).catch(() => undefined);
        }
      } finally {
        release();
        if (tails.get(path) === tail) tails.delete(path);
      }
    },
  };
}
