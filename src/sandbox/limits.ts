import type { SandboxLimits } from './types.js';

const GIB = 1024 * 1024 * 1024;

export const DEFAULT_LIMITS: SandboxLimits = {
  memoryBytes: 4 * GIB,
  processes: 1024,
  openFiles: 4096,
  fileSizeBytes: 4 * GIB,
  cpus: 2,
  cpuSeconds: 3600,
};

/** CPU seconds past the soft limit before SIGKILL, for a process that ignores SIGXCPU. */
export const CPU_HARD_GRACE_SECONDS = 5;

export function resolveLimits(limits: Partial<SandboxLimits> | undefined): SandboxLimits {
  return { ...DEFAULT_LIMITS, ...limits };
}

/**
 * util-linux `prlimit` in front of the command. RLIMIT_DATA rather than RLIMIT_AS for memory:
 * V8 and the Go runtime reserve tens of GiB of address space up front, so an address-space
 * cap breaks node and go long before they use real memory.
 */
export function prlimitArgv(
  limits: SandboxLimits,
  options: { perRunProcessBudget?: boolean; perRunMemory?: boolean } = {},
): string[] {
  return [
    'prlimit',
    // With a memory cgroup per run (process-budget.ts) that is the limit, for the run's processes
    // together; RLIMIT_DATA would fail one process's allocation first, which names nothing.
    ...(options.perRunMemory ? [] : [`--data=${limits.memoryBytes}`]),
    // RLIMIT_NPROC counts every process of the uid, i.e. of all sandboxes together: with a pids cgroup
    // per run (process-budget.ts) that cgroup is the limit, and this one would only share it again.
    ...(options.perRunProcessBudget ? [] : [`--nproc=${limits.processes}`]),
    `--nofile=${limits.openFiles}`,
    `--fsize=${limits.fileSizeBytes}`,
    // The hard limit a little past the soft one: at the soft limit the kernel sends SIGXCPU, which
    // names the limit; with both equal it sends SIGKILL instead, which names nothing.
    `--cpu=${limits.cpuSeconds}:${limits.cpuSeconds + CPU_HARD_GRACE_SECONDS}`,
    '--core=0',
    '--',
  ];
}
