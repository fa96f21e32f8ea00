import { existsSync, mkdirSync, readdirSync, readFileSync, rmdirSync, writeFileSync } from 'node:fs';
import { readFile, rmdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { formatBytes } from './limit-signals.js';
import { processAlive } from '../util/process-alive.js';

/**
 * Each sandboxed run gets its own process budget: a pids cgroup with `pids.max`, which counts the
 * processes and threads of that run alone. RLIMIT_NPROC counts per uid, and every sandbox runs as the
 * same uid, so one run holding 1,000 processes made another run's fork fail. Without a writable pids
 * cgroup (autodev not root, a host without the controller), runs fall back to RLIMIT_NPROC.
 */
export interface ProcessBudget {
  /**
   * Whether each run also gets a memory cgroup (memory.max, or v1's memory.limit_in_bytes): the run's
   * processes together are then held to `memoryBytes`, and a process the kernel kills for it is
   * counted there, so RLIMIT_DATA (per process, a failed allocation that names nothing) is not set.
   */
  readonly limitsMemory: boolean;
  /** Cgroups for one run: prefix its argv with `wrap`, then call `finish` once it has ended. */
  open(limits: { processes: number; memoryBytes: number }): Promise<RunBudget>;
}

export interface RunBudget {
  /** argv that joins the cgroups and then executes `argv` (nothing is forked before the join). */
  wrap(argv: readonly string[]): string[];
  /**
   * Kills what is left in the cgroups, removes them, and names the limit the run hit: the memory
   * limit when the kernel killed a process for it, else `pids.max` when it refused a fork.
   */
  finish(): Promise<string | undefined>;
}

const V2_ROOT = '/sys/fs/cgroup';

type Controller = 'pids' | 'memory';

/** The file a child cgroup of the controller has once the controller is on for it (v1, v2). */
const LIMIT_FILES: Record<Controller, readonly string[]> = {
  pids: ['pids.max'],
  memory: ['memory.limit_in_bytes', 'memory.max'],
};

/** This process's own cgroup folder in the controller's v1 hierarchy, or in the unified one (v2). */
export function ownCgroupDir(controller: Controller): string | undefined {
  let text: string;
  try {
    text = readFileSync('/proc/self/cgroup', 'utf8');
  } catch {
    return undefined;
  }
  const lines = text.split('\n').map((line) => line.split(':'));
  const v1 = lines.find(([, controllers]) => controllers?.split(',').includes(controller));
  const v1Root = path.join(V2_ROOT, controller);
  if (v1 !== undefined && existsSync(path.join(v1Root, 'cgroup.procs'))) {
    return path.join(v1Root, v1.slice(2).join(':'));
  }
  const v2 = lines.find(([id, controllers]) => id === '0' && controllers === '');
  if (v2 !== undefined && existsSync(path.join(V2_ROOT, 'cgroup.controllers'))) {
    return path.join(V2_ROOT, v2.slice(2).join(':'));
  }
  return undefined;
}

const BUDGET_ROOT = /^autodev-sandboxes-(\d+)$/;

/**
 * Removes the budget folders of autodev processes that died without their exit hook (SIGKILL, a
 * crash): each held only empty cgroups once its runs ended, and a host killed a thousand times
 * kept a thousand. Only folders of pids that no longer run; the kernel refuses to remove a cgroup
 * that still has processes in it, so a run that outlived its server is never torn from its limits.
 */
function sweepDeadBudgetRoots(own: string): void {
  let entries: string[];
  try {
    entries = readdirSync(own);
  } catch {
    return;
  }
  for (const entry of entries) {
    const pid = Number(BUDGET_ROOT.exec(entry)?.[1]);
    if (!Number.isInteger(pid) || pid === process.pid || processAlive(pid)) continue;
    const root = path.join(own, entry);
    try {
      for (const child of readdirSync(root, { withFileTypes: true })) {
        if (child.isDirectory()) rmdirSync(path.join(root, child.name));
      }
      rmdirSync(root);
    } catch {
      // Still in use (a run that outlived its server) or already gone: left as it is.
    }
  }
}

const hasLimitFile = (dir: string, controller: Controller): boolean =>
  LIMIT_FILES[controller].some((file) => existsSync(path.join(dir, file)));

/**
 * A folder this process may create the controller's cgroups in, made once: `<own cgroup>/autodev-<pid>`,
 * with the controller on for its children under cgroup v2. Undefined when that is not possible here.
 */
function createBudgetRoot(controller: Controller): string | undefined {
  if (process.getuid?.() !== 0) return undefined;
  const own = ownCgroupDir(controller);
  if (own === undefined) return undefined;
  sweepDeadBudgetRoots(own);
  const root = path.join(own, `autodev-sandboxes-${process.pid}`);
  // Under cgroup v2 the pids and memory roots are one folder: a memory controller that cannot be
  // turned on must not remove the folder the pids budget already uses.
  const existed = existsSync(root);
  try {
    mkdirSync(root, { recursive: true });
    const probe = path.join(root, 'probe');
    mkdirSync(probe, { recursive: true });
    let usable = hasLimitFile(probe, controller);
    rmdirSync(probe);
    if (!usable) {
      // cgroup v2: the controller must be on in the parent for its files to appear in the children
      // (and pids and memory share the one folder there, so one may have turned it on already).
      writeFileSync(path.join(root, 'cgroup.subtree_control'), `+${controller}`);
      mkdirSync(probe, { recursive: true });
      usable = hasLimitFile(probe, controller);
      rmdirSync(probe);
    }
    if (!usable) throw new Error(`no ${controller} limit`);
  } catch {
    try {
      if (!existed) rmdirSync(root);
    } catch {
      // Left for the host's own cleanup: an empty cgroup costs nothing.
    }
    return undefined;
  }
  process.once('exit', () => {
    try {
      rmdirSync(root);
    } catch {
      // A run still ending; the folder is empty once it has.
    }
  });
  return root;
}

const roots: Partial<Record<Controller, string | undefined>> = {};
let sequence = 0;

function rootOf(controller: Controller): string | undefined {
  if (!(controller in roots)) roots[controller] = createBudgetRoot(controller);
  return roots[controller];
}

/** The host's per-run process budget, or undefined when runs must share RLIMIT_NPROC. */
export function cgroupProcessBudget(): ProcessBudget | undefined {
  const pidsBase = rootOf('pids');
  if (pidsBase === undefined) return undefined;
  const memoryBase = rootOf('memory');
  return {
    limitsMemory: memoryBase !== undefined,
    async open({ processes, memoryBytes }): Promise<RunBudget> {
      sequence += 1;
      const name = `run-${sequence}`;
      const pidsDir = path.join(pidsBase, name);
      await rmdir(pidsDir).catch(() => undefined);
      mkdirSync(pidsDir);
      await writeFile(path.join(pidsDir, 'pids.max'), String(processes));
      // Under cgroup v2 both controllers are on the one folder.
      const memoryDir = memoryBase === undefined ? undefined : path.join(memoryBase, name);
      if (memoryDir !== undefined && memoryDir !== pidsDir) {
        await rmdir(memoryDir).catch(() => undefined);
        mkdirSync(memoryDir);
      }
      if (memoryDir !== undefined) await limitMemory(memoryDir, memoryBytes);
      const procsFiles = [...new Set([pidsDir, memoryDir ?? pidsDir])].map((dir) =>
        path.join(dir, 'cgroup.procs'),
      );
      return {
        wrap: (argv) => [
          '/bin/sh',
          '-c',
          // The shell moves itself into the cgroups (the files before `--`), then becomes bwrap: every
          // process of the run is born inside them.
          'while [ "$1" != -- ]; do echo $$ > "$1" || exit 125; shift; done; shift; exec "$@"',
          'autodev-run-cgroups',
          ...procsFiles,
          '--',
          ...argv,
        ],
        finish: async () => {
          const killed = memoryDir === undefined ? undefined : await finishMemory(memoryDir, memoryBytes);
          const refused = await finishRun(pidsDir, processes);
          if (memoryDir !== undefined && memoryDir !== pidsDir) await removeCgroup(memoryDir);
          return killed ?? refused;
        },
      };
    },
  };
}

/** memory.max (v2) or memory.limit_in_bytes (v1), and no swap to spill into past it. */
async function limitMemory(dir: string, memoryBytes: number): Promise<void> {
  if (existsSync(path.join(dir, 'memory.max'))) {
    await writeFile(path.join(dir, 'memory.max'), String(memoryBytes));
    await writeFile(path.join(dir, 'memory.swap.max'), '0').catch(() => undefined);
    return;
  }
  await writeFile(path.join(dir, 'memory.limit_in_bytes'), String(memoryBytes));
  // Only where swap accounting is on; memsw is memory + swap, so equal means no swap.
  await writeFile(path.join(dir, 'memory.memsw.limit_in_bytes'), String(memoryBytes)).catch(() => undefined);
}

/** Names the memory limit when the kernel killed a process of the run for it (its oom_kill count). */
async function finishMemory(dir: string, memoryBytes: number): Promise<string | undefined> {
  // v2 counts in memory.events, v1 (kernel 4.13+) in memory.oom_control.
  const events = await readFile(path.join(dir, 'memory.events'), 'utf8').catch(() =>
    readFile(path.join(dir, 'memory.oom_control'), 'utf8').catch(() => ''),
  );
  const killed = Number(/^oom_kill (\d+)$/m.exec(events)?.[1] ?? '0');
  return killed > 0
    ? `memory: the run reached its limit of ${formatBytes(memoryBytes)} (memory cgroup), ` +
        `the kernel killed ${String(killed)} process${killed === 1 ? '' : 'es'} (SIGKILL)`
    : undefined;
}

/** Kills what is left in a run's cgroup, then removes it. */
async function removeCgroup(dir: string): Promise<void> {
  // A process that left the run's process group (setsid) is still in the cgroup: it ends here.
  for (let attempt = 0; attempt < 50; attempt += 1) {
    const procs = await readFile(path.join(dir, 'cgroup.procs'), 'utf8').catch(() => '');
    for (const pid of procs.split('\n').filter((line) => line !== '')) {
      try {
        process.kill(Number(pid), 'SIGKILL');
      } catch {
        // Already gone.
      }
    }
    const removed = await rmdir(dir).then(
      () => true,
      (error: NodeJS.ErrnoException) => error.code === 'ENOENT',
    );
    if (removed) return;
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

async function finishRun(dir: string, maxProcesses: number): Promise<string | undefined> {
  const events = await readFile(path.join(dir, 'pids.events'), 'utf8').catch(() => '');
  const refused = Number(/^max (\d+)$/m.exec(events)?.[1] ?? '0');
  await removeCgroup(dir);
  return refused > 0
    ? `processes: the run reached its limit of ${maxProcesses} processes and threads (pids.max), ` +
        `${refused} fork${refused === 1 ? ' was' : 's were'} refused`
    : undefined;
}

/** What a fork or thread refused by RLIMIT_NPROC prints, where no cgroup counts the refusals. */
const FORK_REFUSED = /fork: (?:retry: )?Resource temporarily unavailable|can't start new thread/i;

/** The limit a run without a cgroup died of, read from its output; undefined when none shows. */
export function rlimitRefusal(output: string, maxProcesses: number): string | undefined {
  return FORK_REFUSED.test(output)
    ? `processes: a fork or thread was refused at the limit of ${maxProcesses} processes (RLIMIT_NPROC)`
    : undefined;
}
