import { existsSync, mkdirSync, readFileSync, rmdirSync, writeFileSync } from 'node:fs';
import { readFile, rmdir, writeFile } from 'node:fs/promises';
import path from 'node:path';

/**
 * Each sandboxed run gets its own process budget: a pids cgroup with `pids.max`, which counts the
 * processes and threads of that run alone. RLIMIT_NPROC counts per uid, and every sandbox runs as the
 * same uid, so one run holding 1,000 processes made another run's fork fail. Without a writable pids
 * cgroup (autodev not root, a host without the controller), runs fall back to RLIMIT_NPROC.
 */
export interface ProcessBudget {
  /** A cgroup for one run: prefix its argv with `wrap`, then call `finish` once it has ended. */
  open(maxProcesses: number): Promise<RunBudget>;
}

export interface RunBudget {
  /** argv that joins the cgroup and then executes `argv` (nothing is forked before the join). */
  wrap(argv: readonly string[]): string[];
  /** Kills what is left in the cgroup, removes it, and says whether `pids.max` refused a fork. */
  finish(): Promise<string | undefined>;
}

const V1_ROOT = '/sys/fs/cgroup/pids';
const V2_ROOT = '/sys/fs/cgroup';

/** This process's own cgroup folder in the pids hierarchy (v1) or the unified one (v2). */
function ownCgroupDir(): string | undefined {
  let text: string;
  try {
    text = readFileSync('/proc/self/cgroup', 'utf8');
  } catch {
    return undefined;
  }
  const lines = text.split('\n').map((line) => line.split(':'));
  const v1 = lines.find(([, controllers]) => controllers?.split(',').includes('pids'));
  if (v1 !== undefined && existsSync(path.join(V1_ROOT, 'cgroup.procs'))) {
    return path.join(V1_ROOT, v1.slice(2).join(':'));
  }
  const v2 = lines.find(([id, controllers]) => id === '0' && controllers === '');
  if (v2 !== undefined && existsSync(path.join(V2_ROOT, 'cgroup.controllers'))) {
    return path.join(V2_ROOT, v2.slice(2).join(':'));
  }
  return undefined;
}

/**
 * A folder this process may create pids cgroups in, made once: `<own cgroup>/autodev-<pid>`, with the
 * pids controller on for its children under cgroup v2. Undefined when that is not possible here.
 */
function createBudgetRoot(): string | undefined {
  if (process.getuid?.() !== 0) return undefined;
  const own = ownCgroupDir();
  if (own === undefined) return undefined;
  const root = path.join(own, `autodev-sandboxes-${process.pid}`);
  try {
    mkdirSync(root, { recursive: true });
    if (!existsSync(path.join(root, 'pids.max'))) {
      // cgroup v2: the controller must be on in the parent for pids.max to appear in the children.
      writeFileSync(path.join(root, 'cgroup.subtree_control'), '+pids');
    }
    const probe = path.join(root, 'probe');
    mkdirSync(probe, { recursive: true });
    const usable = existsSync(path.join(probe, 'pids.max'));
    rmdirSync(probe);
    if (!usable) throw new Error('no pids.max');
  } catch {
    try {
      rmdirSync(root);
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

let root: string | undefined | null = null;
let sequence = 0;

/** The host's per-run process budget, or undefined when runs must share RLIMIT_NPROC. */
export function cgroupProcessBudget(): ProcessBudget | undefined {
  if (root === null) root = createBudgetRoot();
  const base = root;
  if (base === undefined) return undefined;
  return {
    async open(maxProcesses: number): Promise<RunBudget> {
      sequence += 1;
      const dir = path.join(base, `run-${sequence}`);
      await rmdir(dir).catch(() => undefined);
      mkdirSync(dir);
      await writeFile(path.join(dir, 'pids.max'), String(maxProcesses));
      return {
        wrap: (argv) => [
          '/bin/sh',
          '-c',
          // The shell moves itself into the cgroup, then becomes bwrap: every process of the run is
          // born inside it. $0 is the cgroup's procs file.
          'echo $$ > "$0" && exec "$@"',
          path.join(dir, 'cgroup.procs'),
          ...argv,
        ],
        finish: () => finishRun(dir, maxProcesses),
      };
    },
  };
}

async function finishRun(dir: string, maxProcesses: number): Promise<string | undefined> {
  const events = await readFile(path.join(dir, 'pids.events'), 'utf8').catch(() => '');
  const refused = Number(/^max (\d+)$/m.exec(events)?.[1] ?? '0');
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
    if (removed) break;
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
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
