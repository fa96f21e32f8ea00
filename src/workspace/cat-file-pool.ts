import { AutodevError } from '../errors.js';
import type { GitRunOptions, StartGit } from './run-git.js';

/** One answer of `cat-file --batch-command`: the object named, or undefined for "missing"/"ambiguous". */
export interface BatchObject {
  id: string;
  type: string;
  size: number;
  /** The object's bytes (a `contents` request only). */
  content?: Buffer;
}

export interface CatFilePool {
  /** `info <spec>`: the object's id, type and size, or undefined. */
  info(where: CatFilePlace, spec: string): Promise<BatchObject | undefined>;
  /** `contents <spec>`: the object with its bytes, or undefined; refused past `maxBytes`. */
  contents(where: CatFilePlace, spec: string, maxBytes?: number): Promise<BatchObject | undefined>;
  /** Ends every process (server shutdown). */
  closeAll(): void;
}

/** Where a process reads: the directory git discovers its repository from (a mirror, or a checkout). */
export interface CatFilePlace {
  cwd: string;
}

export interface CatFilePoolOptions {
  /** A process with nothing asked of it this long ends (it is started again on the next request). */
  idleMs?: number;
  /** One request taking longer kills its process: a hung filesystem must not hold a task. */
  requestTimeoutMs?: number;
  /** Largest object read whole unless a request says less. */
  maxBytes?: number;
}

const INFO_LINE = /^([0-9a-f]{40,64}) ([a-z]+) (\d+)$/;
const DEFAULT_IDLE_MS = 60_000;
const DEFAULT_REQUEST_TIMEOUT_MS = 120_000;
const DEFAULT_MAX_BYTES = 256 * 1024 * 1024;

interface Pending {
  kind: 'info' | 'contents';
  maxBytes: number;
  resolve(value: BatchObject | undefined): void;
  reject(error: Error): void;
}

/** Whether a spec can go through the long-lived process: its answers are lines, so no newline in it. */
export function batchable(spec: string): boolean {
  return !spec.includes('\n') && !spec.includes('\0');
}

/**
 * Long-lived `git cat-file --batch-command` processes, one per repository (a mirror serves all its
 * worktrees: their HEADs are named `worktrees/<name>/HEAD`), where each read started a git process of
 * its own: a task reads a dozen objects (the repo's config at the base, the files the checks look at,
 * the commits it resolves). Objects never change; refs are read from disk at each request, and git
 * looks for new packs when an object is not found, so a fetch or a commit made by another process is
 * seen. A process idle for a while ends; one that fails or hangs is killed and the next request
 * starts another.
 */
export function createCatFilePool(startGit: StartGit, options: CatFilePoolOptions = {}): CatFilePool {
  const idleMs = options.idleMs ?? DEFAULT_IDLE_MS;
  const requestTimeoutMs = options.requestTimeoutMs ?? DEFAULT_REQUEST_TIMEOUT_MS;
  const defaultMax = options.maxBytes ?? DEFAULT_MAX_BYTES;
  const processes = new Map<string, BatchProcess>();

  const processFor = (where: CatFilePlace): BatchProcess => {
    const key = where.cwd;
    let proc = processes.get(key);
    if (proc === undefined || proc.ended) {
      proc = startBatchProcess(startGit, { cwd: where.cwd }, { idleMs, requestTimeoutMs }, () => {
        if (processes.get(key) === proc) processes.delete(key);
      });
      processes.set(key, proc);
    }
    return proc;
  };

  const ask = async (
    where: CatFilePlace,
    kind: Pending['kind'],
    spec: string,
    maxBytes: number,
  ): Promise<BatchObject | undefined> => {
    if (!batchable(spec)) {
      throw new AutodevError('VALIDATION_FAILED', `${JSON.stringify(spec)} holds a newline or NUL byte`);
    }
    try {
      return await processFor(where).request(kind, spec, maxBytes);
    } catch (error) {
      // The process died with the request in it (killed, or gone between its exit and our noticing):
      // a read is safe to ask again, once, of a new process. A hung one (timeout) is not asked again.
      if (!diedUnder.has(error as object)) throw error;
      return processFor(where).request(kind, spec, maxBytes);
    }
  };

  return {
    info: (where, spec) => ask(where, 'info', spec, defaultMax),
    contents: (where, spec, maxBytes) =>
      ask(where, 'contents', spec, Math.min(maxBytes ?? defaultMax, defaultMax)),
    closeAll() {
      for (const proc of processes.values()) proc.end();
      processes.clear();
    },
  };
}

/** Errors of requests whose process died under them (not a timeout): asked again once. */
const diedUnder = new WeakSet<object>();

interface BatchProcess {
  readonly ended: boolean;
  request(kind: Pending['kind'], spec: string, maxBytes: number): Promise<BatchObject | undefined>;
  end(): void;
}

function startBatchProcess(
  startGit: StartGit,
  runOptions: GitRunOptions,
  limits: { idleMs: number; requestTimeoutMs: number },
  onEnd: () => void,
): BatchProcess {
  const child = startGit(['cat-file', '--batch-command', '-z'], runOptions);
  const pending: Pending[] = [];
  let buffered: Buffer = Buffer.alloc(0);
  /** Bytes of an object too large for its request, read and dropped to stay in step with git. */
  let skipping = 0;
  let ended = false;
  let failed = false;
  let stderr = '';
  let idleTimer: NodeJS.Timeout | undefined;
  let requestTimer: NodeJS.Timeout | undefined;

  const fail = (reason: string, died = true): void => {
    if (failed) return;
    failed = true;
    ended = true;
    clearTimeout(idleTimer);
    clearTimeout(requestTimer);
    try {
      if (child.pid !== undefined) process.kill(-child.pid, 'SIGKILL');
    } catch {
      // Gone already.
    }
    const error = new AutodevError('GIT_FAILED', `git cat-file: ${reason}`);
    if (died) diedUnder.add(error);
    for (const waiting of pending.splice(0)) waiting.reject(error);
    onEnd();
  };

  /**
   * An idle process keeps nobody's event loop alive (a server's shutdown does not wait for it); one
   * with a request in it does: a CLI awaiting an answer with nothing else pending would otherwise exit
   * at once, silently (Node's code 13 for an unsettled await), as `task replay` did.
   */
  const hold = (on: boolean): void => {
    for (const handle of [child, child.stdout, child.stderr, child.stdin] as unknown as {
      ref?: () => void;
      unref?: () => void;
    }[]) {
      if (on) handle.ref?.();
      else handle.unref?.();
    }
  };

  const armTimers = (): void => {
    hold(pending.length > 0);
    clearTimeout(requestTimer);
    clearTimeout(idleTimer);
    if (pending.length > 0) {
      requestTimer = setTimeout(
        () => fail(`no answer within ${limits.requestTimeoutMs} ms`, false),
        limits.requestTimeoutMs,
      );
      requestTimer.unref();
    } else {
      // Closing stdin ends git cleanly; the process is started again when a request comes.
      idleTimer = setTimeout(() => {
        ended = true;
        child.stdin.end();
        onEnd();
      }, limits.idleMs);
      idleTimer.unref();
    }
  };

  const settle = (): void => {
    for (;;) {
      if (skipping > 0) {
        const dropped = Math.min(skipping, buffered.length);
        buffered = buffered.subarray(dropped);
        skipping -= dropped;
        if (skipping > 0) return;
      }
      const head = pending[0];
      if (head === undefined) return;
      const newline = buffered.indexOf(0x0a);
      if (newline < 0) return;
      const line = buffered.subarray(0, newline).toString('utf8');
      const match = INFO_LINE.exec(line);
      if (match === null) {
        // "<spec> missing" / "<spec> ambiguous": no object, nothing more to read.
        buffered = buffered.subarray(newline + 1);
        pending.shift()?.resolve(undefined);
        continue;
      }
      const object: BatchObject = { id: match[1] ?? '', type: match[2] ?? '', size: Number(match[3]) };
      if (head.kind === 'info') {
        buffered = buffered.subarray(newline + 1);
        pending.shift()?.resolve(object);
        continue;
      }
      if (object.size > head.maxBytes) {
        // The bytes follow anyway: dropped as they come, the request refused now.
        buffered = buffered.subarray(newline + 1);
        skipping = object.size + 1;
        pending
          .shift()
          ?.reject(
            new AutodevError(
              'CHANGE_TOO_LARGE',
              `object ${object.id} is ${object.size} bytes; at most ${head.maxBytes} are read`,
            ),
          );
        continue;
      }
      const end = newline + 1 + object.size;
      if (buffered.length < end + 1) return;
      object.content = Buffer.from(buffered.subarray(newline + 1, end));
      buffered = buffered.subarray(end + 1);
      pending.shift()?.resolve(object);
    }
  };

  child.stdout.on('data', (chunk: Buffer) => {
    buffered = buffered.length === 0 ? chunk : Buffer.concat([buffered, chunk]);
    settle();
    if (!ended) armTimers();
  });
  child.stderr.on('data', (chunk: Buffer) => {
    // Kept short: only for the message of a failure.
    if (stderr.length < 4096) stderr += chunk.toString('utf8');
  });
  child.stdin.on('error', () => undefined);
  child.on('error', (error) => fail(error.message));
  // Gone: no new request is sent to it (its pipes may still be open until 'close').
  child.on('exit', () => {
    ended = true;
  });
  child.on('close', (code) => {
    if (pending.length > 0) fail(stderr.trim() || `exited with ${String(code)}`);
    ended = true;
    clearTimeout(idleTimer);
    clearTimeout(requestTimer);
    onEnd();
  });
  hold(false);

  return {
    get ended() {
      return ended;
    },
    request(kind, spec, maxBytes) {
      return new Promise<BatchObject | undefined>((resolve, reject) => {
        if (ended) {
          const error = new AutodevError('GIT_FAILED', 'git cat-file: the process has ended');
          diedUnder.add(error);
          reject(error);
          return;
        }
        pending.push({ kind, maxBytes, resolve, reject });
        child.stdin.write(`${kind} ${spec}\0`);
        armTimers();
      });
    },
    end() {
      if (ended) return;
      ended = true;
      clearTimeout(idleTimer);
      clearTimeout(requestTimer);
      child.stdin.end();
    },
  };
}
