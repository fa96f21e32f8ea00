/** What every sandbox backend (bubblewrap, docker, none) runs: an argv, never a shell string. */
export interface SandboxCommand {
  argv: string[];
  /** Absolute path of the command's working directory; must resolve inside `workspace`. */
  cwd: string;
  /**
   * The only writable tree (the task's checkout), `cwd` when not given. Bound by its real path; its
   * `.git` is read-only inside the sandbox, since host-side git must never see a pointer the build wrote.
   */
  workspace?: string;
  /** Extra variables on top of the scrubbed allowlist; names matching secret patterns are refused. */
  env?: Record<string, string>;
  /** Wall-clock limit; the whole process tree is killed when it passes. */
  timeoutMs: number;
  /**
   * Network is off unless a caller (the setup phase, by config) asks for it. Under bubblewrap it is
   * then the package registries only, through a filtering proxy (setup-network.ts), never the host's.
   */
  network?: boolean;
  /** Cancels the run: the process tree is killed and the result says so. */
  signal?: AbortSignal;
  /** Per-stream cap; output past it is dropped and `truncated` is set. */
  maxOutputBytes?: number;
  /**
   * A writable directory private to one step of one task, used as HOME (and so for Go's build
   * cache), kept between the step's runs: the model's step keeps the task's across rounds, every
   * other step gets a fresh one (orchestrator/step-home.ts). Without it each run gets a fresh,
   * empty HOME that is discarded afterwards.
   */
  homeDir?: string;
  /**
   * Extra folders bound at their own path: the package caches under data_dir (see
   * src/languages/caches.ts), writable for setup and read-only for build and test. Each must
   * resolve inside the factory's `bindRoot` (bubblewrap, docker) or the run is refused; `none`
   * binds nothing and ignores them (the host is visible anyway).
   */
  binds?: readonly SandboxBind[];
}

export interface SandboxBind {
  /** Absolute path of an existing folder; mounted by its real path. */
  path: string;
  writable: boolean;
}

export interface SandboxResult {
  exitCode: number | null;
  stdout: string;
  stderr: string;
  truncated: boolean;
  timedOut: boolean;
  /** True when the run ended because `signal` was aborted. */
  cancelled: boolean;
  durationMs: number;
  /**
   * Set when the run hit a resource limit of the sandbox rather than failing on its own: names the
   * limit (e.g. "processes: ... pids.max ..."). Callers report RESOURCE_LIMIT, not the project's failure.
   */
  resourceLimit?: string;
}

/** The uid (and gid) sandboxed commands run as when autodev runs as root; no account needs to exist. */
export const DEFAULT_SANDBOX_UID = 64_000;

export const SANDBOX_IDS = ['bubblewrap', 'docker', 'none'] as const;
export type SandboxId = (typeof SANDBOX_IDS)[number];

/** Resource limits a backend applies where the host allows (see each backend for how). */
export interface SandboxLimits {
  /** Memory: RLIMIT_DATA under bubblewrap (heap, not address space), --memory under docker. */
  memoryBytes: number;
  /**
   * Processes and threads of one run: a pids cgroup per run under bubblewrap as root (RLIMIT_NPROC,
   * shared by every run of the sandbox uid, where no pids cgroup is writable), --pids-limit under docker.
   */
  processes: number;
  openFiles: number;
  /** Largest single file a command may write. */
  fileSizeBytes: number;
  /** CPU share under docker (--cpus); bubblewrap has no equivalent without cgroups. */
  cpus: number;
  /** CPU time one process may burn (RLIMIT_CPU under bubblewrap): a spinning loop is killed by SIGXCPU. */
  cpuSeconds: number;
}

export interface SandboxFactoryOptions {
  /** The server's environment, read in src/config; only an allowlist of it reaches a command. */
  hostEnv: Readonly<Record<string, string | undefined>>;
  /** Container image (docker only). */
  image?: string;
  limits?: Partial<SandboxLimits>;
  /**
   * Host paths a command must not even read (bubblewrap: an empty tmpfs over each), such as
   * autodev's data dir, which holds other tasks' workspaces and the database. The workspace
   * and HOME of a run stay visible inside them. The host HOME is always hidden, its
   * toolchains (~/.cargo, ~/.rustup, ~/.pyenv, PATH entries) shown again read-only.
   */
  hide?: readonly string[];
  /** The uid commands run as when autodev runs as root (bubblewrap); see unprivileged-user.ts. */
  uid?: number;
  /**
   * Hosts (`host` or `host:port`) a setup with network may reach besides the registries the host's
   * package clients are configured for (`setup_network_allow`); bubblewrap only.
   */
  networkAllow?: readonly string[];
  /** The one folder `SandboxCommand.binds` may lie in (autodev's data_dir); without it binds are refused. */
  bindRoot?: string;
}

export interface Sandbox {
  readonly id: SandboxId;
  /** Throws SANDBOX_UNAVAILABLE naming what is missing (bwrap binary, docker engine). */
  ensureAvailable(): Promise<void>;
  run(command: SandboxCommand): Promise<SandboxResult>;
}
