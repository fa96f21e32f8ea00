import type { SandboxLimits } from './types.js';

/**
 * The kernel signals of the rlimits prlimit sets (limits.ts): RLIMIT_CPU sends SIGXCPU at its soft
 * limit, RLIMIT_FSIZE sends SIGXFSZ on a write past it. Nothing else sends them, so a run that ended
 * of one ended of the limit, not of the project's code.
 */
const SIGXCPU = 24;
const SIGXFSZ = 25;

/**
 * How each shows: the run's own process killed by it (bwrap, and a shell, exit with 128 + the
 * signal), or a child killed by it whose parent said so: shells print strsignal's words, node's
 * child_process error `signal: 'SIGXCPU'`, npm `signal SIGXCPU`, Python's subprocess
 * `Signals.SIGXCPU`. Only those forms: a test that merely prints the name (a list of signals) is not
 * one. Literal alternatives only.
 */
const EVIDENCE = [
  {
    signal: SIGXCPU,
    words: /CPU time limit exceeded|\bsignal:? '?SIGXCPU\b|\bSignals\.SIGXCPU\b/,
    describe: (limits: SandboxLimits) =>
      `cpu time: a process used up its ${String(limits.cpuSeconds)} s of CPU time (RLIMIT_CPU, killed by SIGXCPU)`,
  },
  {
    signal: SIGXFSZ,
    words: /File size limit exceeded|\bsignal:? '?SIGXFSZ\b|\bSignals\.SIGXFSZ\b/,
    describe: (limits: SandboxLimits) =>
      `file size: a process wrote a file past the limit of ${formatBytes(limits.fileSizeBytes)} (RLIMIT_FSIZE, killed by SIGXFSZ)`,
  },
] as const;

export interface EndedRun {
  exitCode: number | null;
  stdout: string;
  stderr: string;
  timedOut: boolean;
  cancelled: boolean;
}

/** The rlimit a failed run died of, named with its value; undefined for a run that ended on its own. */
export function signalledLimit(result: EndedRun, limits: SandboxLimits): string | undefined {
  if (result.exitCode === 0 || result.timedOut || result.cancelled) return undefined;
  const output = `${result.stdout}\n${result.stderr}`;
  const found = EVIDENCE.find(
    (evidence) => result.exitCode === 128 + evidence.signal || evidence.words.test(output),
  );
  return found?.describe(limits);
}

export function formatBytes(bytes: number): string {
  const units = ['bytes', 'KiB', 'MiB', 'GiB', 'TiB'];
  let value = bytes;
  let unit = 0;
  while (value >= 1024 && value % 1024 === 0 && unit < units.length - 1) {
    value /= 1024;
    unit += 1;
  }
  return `${String(value)} ${units[unit] ?? 'bytes'}`;
}
