import { spawn, type ChildProcessByStdio } from 'node:child_process';
import { stat } from 'node:fs/promises';
import type { Readable, Writable } from 'node:stream';
import { AutodevError } from '../errors.js';
import type { SandboxResult } from './types.js';

export const DEFAULT_MAX_OUTPUT_BYTES = 1024 * 1024;
/** Time between SIGTERM (a chance to clean up) and SIGKILL of the whole process group. */
export const DEFAULT_KILL_GRACE_MS = 500;
/**
 * After the child exits, how long to wait for its pipes to close. A grandchild that escaped
 * the process group (setsid) can hold them open forever; we stop waiting rather than hang.
 */
const PIPE_DRAIN_MS = 2_000;

export interface SpawnCappedOptions {
  /** argv[0] is the program, looked up on `env.PATH`; never a shell string. */
  argv: readonly string[];
  cwd: string;
  /** The child's whole environment: nothing is inherited from this process. */
  env: Readonly<Record<string, string>>;
  timeoutMs: number;
  signal?: AbortSignal;
  maxOutputBytes?: number;
  killGraceMs?: number;
  /**
   * Called once when a timeout or abort kills the run, for resources outside the process
   * group (the docker backend removes its container: killing the CLI leaves it running).
   */
  onKill?: () => void;
  /** Written to the child's stdin, which is then closed; without it stdin is /dev/null. */
  input?: string | Buffer;
}

/** A run whose stdout is kept as bytes: a git blob, a NUL-separated listing. */
export interface SpawnCappedBytesResult extends Omit<SandboxResult, 'stdout'> {
  stdout: Buffer;
}

/** Collects at most `cap` bytes and counts the rest, so the pipe is always drained. */
function createCappedBuffer(cap: number) {
  const chunks: Buffer[] = [];
  let kept = 0;
  let dropped = false;
  return {
    push(chunk: Buffer): void {
      const room = cap - kept;
      if (room <= 0) {
        dropped = true;
        return;
      }
      const part = chunk.length > room ? chunk.subarray(0, room) : chunk;
      if (part.length < chunk.length) dropped = true;
      chunks.push(part);
      kept += part.length;
    },
    bytes: (): Buffer => Buffer.concat(chunks),
    truncated: (): boolean => dropped,
  };
}

function killGroup(pid: number, signal: NodeJS.Signals): void {
  try {
    // Negative pid: the whole process group the detached child leads.
    process.kill(-pid, signal);
  } catch {
    // ESRCH: the group is already gone.
  }
}

async function assertDirectory(cwd: string): Promise<void> {
  const info = await stat(cwd).catch(() => undefined);
  // Checked up front because spawn reports a missing cwd as ENOENT, indistinguishable
  // from a missing program.
  if (!info?.isDirectory()) {
    throw new AutodevError('WORKSPACE_MISSING', `working directory does not exist: ${cwd}`);
  }
}

/**
 * The one place autodev starts a process. The child leads its own process group, so a
 * timeout or an abort kills everything it started; output is capped per stream.
 */
export async function spawnCapped(options: SpawnCappedOptions): Promise<SandboxResult> {
  const result = await spawnCappedBytes(options);
  return { ...result, stdout: result.stdout.toString('utf8') };
}

/** spawnCapped with stdout as the bytes the child wrote, for output that is not UTF-8 text. */
export async function spawnCappedBytes(options: SpawnCappedOptions): Promise<SpawnCappedBytesResult> {
  const program = options.argv[0];
  if (program === undefined || program === '') {
    throw new AutodevError('VALIDATION_FAILED', 'argv must name a program');
  }
  await assertDirectory(options.cwd);
  const started = performance.now();
  const elapsed = (): number => Math.round(performance.now() - started);
  if (options.signal?.aborted) {
    return {
      exitCode: null,
      stdout: Buffer.alloc(0),
      stderr: '',
      truncated: false,
      timedOut: false,
      cancelled: true,
      durationMs: 0,
    };
  }

  const cap = options.maxOutputBytes ?? DEFAULT_MAX_OUTPUT_BYTES;
  const stdout = createCappedBuffer(cap);
  const stderr = createCappedBuffer(cap);
  const child = spawn(program, options.argv.slice(1), {
    cwd: options.cwd,
    env: { ...options.env },
    detached: true,
    // No input: stdin is /dev/null, as a command run from a service expects.
    stdio: [options.input === undefined ? 'ignore' : 'pipe', 'pipe', 'pipe'],
  }) as ChildProcessByStdio<Writable | null, Readable, Readable>;
  if (options.input !== undefined && child.stdin) {
    // EPIPE when the child exits before reading everything: its exit tells what happened.
    child.stdin.on('error', () => undefined);
    child.stdin.end(options.input);
  }
  child.stdout.on('data', (chunk: Buffer) => stdout.push(chunk));
  child.stderr.on('data', (chunk: Buffer) => stderr.push(chunk));

  let timedOut = false;
  let cancelled = false;
  let graceTimer: NodeJS.Timeout | undefined;
  const killTree = (): void => {
    if (child.pid === undefined || graceTimer !== undefined) return;
    const pid = child.pid;
    killGroup(pid, 'SIGTERM');
    options.onKill?.();
    graceTimer = setTimeout(() => killGroup(pid, 'SIGKILL'), options.killGraceMs ?? DEFAULT_KILL_GRACE_MS);
  };
  const timeoutTimer = setTimeout(() => {
    timedOut = true;
    killTree();
  }, options.timeoutMs);
  const onAbort = (): void => {
    cancelled = true;
    killTree();
  };
  options.signal?.addEventListener('abort', onAbort, { once: true });

  try {
    const exitCode = await new Promise<number | null>((resolve, reject) => {
      let drainTimer: NodeJS.Timeout | undefined;
      child.once('error', (error: NodeJS.ErrnoException) => {
        if (error.code === 'ENOENT') {
          reject(new AutodevError('COMMAND_NOT_FOUND', `command not found: ${program}`, { cause: error }));
        } else {
          reject(
            new AutodevError('COMMAND_FAILED', `could not start ${program}: ${error.message}`, {
              cause: error,
            }),
          );
        }
      });
      child.once('exit', (code) => {
        drainTimer = setTimeout(() => {
          child.stdout.destroy();
          child.stderr.destroy();
          resolve(code);
        }, PIPE_DRAIN_MS);
      });
      child.once('close', (code) => {
        clearTimeout(drainTimer);
        resolve(code);
      });
    });
    return {
      exitCode,
      stdout: stdout.bytes(),
      stderr: stderr.bytes().toString('utf8'),
      truncated: stdout.truncated() || stderr.truncated(),
      timedOut,
      cancelled,
      durationMs: elapsed(),
    };
  } finally {
    clearTimeout(timeoutTimer);
    options.signal?.removeEventListener('abort', onAbort);
    // The leader has exited; a straggler left in its group must not outlive the run.
    if (child.pid !== undefined) killGroup(child.pid, 'SIGKILL');
    clearTimeout(graceTimer);
  }
}
