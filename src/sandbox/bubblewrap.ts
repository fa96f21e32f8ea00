import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { AutodevError, isAutodevError } from '../errors.js';
import { assertProgramExists, resolveCommandPaths, validateCommand, withHome } from './command.js';
import { withoutPyenvShim } from './toolchain-shims.js';
import { buildSandboxEnv } from './env.js';
import { hostViewPlan } from './host-view.js';
import { prlimitArgv, resolveLimits } from './limits.js';
import { signalledLimit } from './limit-signals.js';
import { resolveBinds } from './binds.js';
import { createWorkspaceAccess, dropArgv, dropsPrivileges } from './unprivileged-user.js';
import { spawnCapped } from './spawn-capped.js';
import { dieWithParentPrefix, LAUNCH_FAILED_EXIT } from './die-with-parent.js';
import { createSetupNetworkFactory, SANDBOX_PROXY_DIR } from './setup-network.js';
import { cgroupProcessBudget, rlimitRefusal } from './process-budget.js';
import {
  DEFAULT_SANDBOX_UID,
  type Sandbox,
  type SandboxBind,
  type SandboxCommand,
  type SandboxFactoryOptions,
  type SandboxLimits,
  type SandboxResult,
} from './types.js';

const INSTALL_HINT = 'install it with `apt-get install bubblewrap`';

interface BwrapPlan {
  /** Real path of the writable workspace, and of the working directory inside it. */
  workspace: string;
  cwd: string;
  /** The workspace's `.git`, bound read-only over itself. */
  gitEntry?: string;
  home: string;
  /** Extra folders (package caches), real paths checked inside the bind root. */
  binds?: readonly SandboxBind[];
  env: Readonly<Record<string, string>>;
  /** Host folder of the run's filtering proxy (setup with network); absent: no way out at all. */
  proxyDir?: string;
  limits: SandboxLimits;
  /** Host paths never shown, even where a toolchain folder holds them (the data dir). */
  hidden: readonly string[];
  /** The server's HOME: only the toolchains inside it are shown. */
  hostHome?: string;
  /** The run has its own pids cgroup (process-budget.ts), so RLIMIT_NPROC is not set. */
  perRunProcessBudget?: boolean;
  /** The run has its own memory cgroup (process-budget.ts), so RLIMIT_DATA is not set. */
  perRunMemory?: boolean;
  /** Run the command as this uid (autodev runs as root); undefined: as autodev's own, unprivileged uid. */
  uid?: number;
  argv: readonly string[];
}

/**
 * The network of a run: always its own namespace with only loopback (`--share-net` would hand the
 * host's loopback, LAN and autodev's own API to the repository). Setup with network gets the folder
 * of its filtering proxy (see setup-network.ts), the one way out, bound read-only.
 */
export function networkArgs(proxyDir: string | undefined): string[] {
  return proxyDir === undefined ? [] : ['--ro-bind', proxyDir, SANDBOX_PROXY_DIR];
}

/** A launcher's shell (or the cgroup join's) that found no bwrap to become: `sh: 1: exec: bwrap: not found`. */
const BWRAP_NOT_FOUND = /: exec: bwrap: not found$/m;

/**
 * The bwrap argv. Every namespace is unshared, network included; the root is empty but
 * for what host-view.ts shows read-only (system folders, /etc essentials, the toolchains in use); /tmp
 * is a private tmpfs; only the workspace and HOME are writable, and the workspace's `.git` is not.
 * Run by root, the command itself runs as an unprivileged uid with no capabilities (see
 * unprivileged-user.ts); run by another user, bwrap uses a user namespace and drops every capability.
 * Limits come from prlimit inside, so bwrap itself is not limited.
 */
export function bwrapArgv(plan: BwrapPlan): string[] {
  const setenv = Object.entries(plan.env).flatMap(([name, value]) => ['--setenv', name, value]);
  const mounts = hostViewPlan({
    env: plan.env,
    ...(plan.hostHome ? { hostHome: plan.hostHome } : {}),
    hidden: plan.hidden,
    uid: plan.uid ?? process.getuid?.() ?? 0,
    mounted: [plan.workspace, plan.home, ...(plan.binds ?? []).map((bind) => bind.path)],
  });
  mounts
    .bind(plan.home, plan.home, { writable: true })
    .bind(plan.workspace, plan.workspace, { writable: true });
  if (plan.gitEntry) mounts.bind(plan.gitEntry, plan.gitEntry);
  for (const bind of plan.binds ?? []) mounts.bind(bind.path, bind.path, { writable: bind.writable });
  // Root without a user namespace: setpriv needs CAP_SETUID to become the sandbox user, and
  // then holds no capability at all. A user namespace would map only uid 0 and forbid the switch.
  const namespaces =
    plan.uid === undefined
      ? ['--unshare-all', '--cap-drop', 'ALL']
      : ['--unshare-ipc', '--unshare-pid', '--unshare-net', '--unshare-uts', '--unshare-cgroup-try'];
  return [
    'bwrap',
    '--die-with-parent',
    '--new-session',
    ...namespaces,
    ...mounts.args,
    // After the mounts' tmpfs over /tmp, which holds its mount point.
    ...networkArgs(plan.proxyDir),
    '--chdir',
    plan.cwd,
    '--clearenv',
    ...setenv,
    '--',
    ...(plan.uid === undefined ? [] : dropArgv(plan.uid)),
    ...prlimitArgv(plan.limits, {
      perRunProcessBudget: plan.perRunProcessBudget ?? false,
      perRunMemory: plan.perRunMemory ?? false,
    }),
    ...plan.argv,
  ];
}

export function createBubblewrapSandbox(options: SandboxFactoryOptions): Sandbox {
  const limits = resolveLimits(options.limits);
  const hidden = options.hide ?? [];
  const hostHome = options.hostEnv.HOME;
  const uid = dropsPrivileges() ? (options.uid ?? DEFAULT_SANDBOX_UID) : undefined;
  const access = uid === undefined ? undefined : createWorkspaceAccess(uid);
  const processBudget = cgroupProcessBudget();
  const setupNetwork = createSetupNetworkFactory({
    hostEnv: options.hostEnv,
    ...(options.networkAllow ? { extraAllow: options.networkAllow } : {}),
  });
  let available: Promise<void> | undefined;

  async function run(command: SandboxCommand): Promise<SandboxResult> {
    validateCommand(command);
    const paths = await resolveCommandPaths(command);
    await access?.grant(paths.workspace, command.signal);
    const binds = await resolveBinds(command.binds, options.bindRoot);
    // A writable cache is the sandbox user's (what it writes there is already); a read-only one need
    // only be readable, which the files it wrote during setup are.
    for (const bind of binds) if (bind.writable) await access?.own(bind.path);
    return withHome(command.homeDir, async (home) => {
      await access?.own(home);
      // The sandbox shows the host's system folders and toolchains, so the program is looked up here first:
      // bwrap would report a missing one only as its own exit status 1. A pyenv shim is resolved to the
      // interpreter it would start (src/sandbox/toolchain-shims.ts): no bash per Python command.
      const { argv: program, env } = await withoutPyenvShim(
        command.argv,
        paths.cwd,
        buildSandboxEnv({
          hostEnv: options.hostEnv,
          home,
          extras: command.env,
          inheritToolchains: true,
          network: command.network ?? false,
        }),
      );
      await assertProgramExists(program[0] ?? '', paths.cwd, env.PATH ?? '');
      const network = command.network ? await setupNetwork.open() : undefined;
      try {
        const runEnv = { ...env, ...network?.env };
        const argv = bwrapArgv({
          ...paths,
          ...(uid === undefined ? {} : { uid }),
          home,
          binds,
          env: runEnv,
          ...(network ? { proxyDir: network.hostDir } : {}),
          limits,
          hidden,
          ...(hostHome ? { hostHome } : {}),
          perRunProcessBudget: processBudget !== undefined,
          perRunMemory: processBudget?.limitsMemory ?? false,
          argv: network ? network.wrap(program) : program,
        });
        const budget = await processBudget?.open(limits);
        let refusal: string | undefined;
        const result = await spawnCapped({
          // Outermost, the launcher that dies with the server (bwrap's own --die-with-parent starts
          // only once bwrap runs: a server killed before that left the run behind).
          argv: [...dieWithParentPrefix(runEnv.PATH), ...(budget ? budget.wrap(argv) : argv)],
          cwd: paths.cwd,
          // bwrap itself gets the scrubbed env too, so no secret sits in any process of the run.
          env: runEnv,
          timeoutMs: command.timeoutMs,
          signal: command.signal,
          maxOutputBytes: command.maxOutputBytes,
        })
          .catch((error: unknown) => {
            // The user's program was found above, so a missing program here is bwrap itself.
            if (isAutodevError(error, 'COMMAND_NOT_FOUND')) {
              throw new AutodevError(
                'SANDBOX_UNAVAILABLE',
                `bwrap (bubblewrap) is not on PATH: ${INSTALL_HINT}`,
                {
                  cause: error,
                },
              );
            }
            throw error;
          })
          .finally(async () => {
            refusal = await budget?.finish();
          });
        if (result.exitCode === LAUNCH_FAILED_EXIT && BWRAP_NOT_FOUND.test(result.stderr)) {
          throw new AutodevError('SANDBOX_UNAVAILABLE', `bwrap (bubblewrap) is not on PATH: ${INSTALL_HINT}`);
        }
        refusal ??=
          budget === undefined && result.exitCode !== 0
            ? rlimitRefusal(`${result.stdout}\n${result.stderr}`, limits.processes)
            : undefined;
        refusal ??= signalledLimit(result, limits);
        const note = network?.report();
        const reported = note === undefined ? result : { ...result, stderr: `${result.stderr}\n${note}\n` };
        return refusal === undefined ? reported : { ...reported, resourceLimit: refusal };
      } finally {
        await network?.close();
      }
    });
  }

  async function probe(): Promise<void> {
    const workspace = await mkdtemp(path.join(os.tmpdir(), 'autodev-probe-'));
    let result: SandboxResult;
    try {
      result = await run({ argv: ['true'], cwd: workspace, timeoutMs: 30_000 });
    } catch (error) {
      if (isAutodevError(error, 'SANDBOX_UNAVAILABLE')) throw error;
      throw new AutodevError('SANDBOX_UNAVAILABLE', `bubblewrap could not start: ${String(error)}`, {
        cause: error,
      });
    } finally {
      await rm(workspace, { recursive: true, force: true });
    }
    if (result.exitCode !== 0) {
      throw new AutodevError(
        'SANDBOX_UNAVAILABLE',
        `bubblewrap is installed but cannot create a sandbox here (exit ${String(result.exitCode)}: ` +
          `${result.stderr.trim()}); it needs unprivileged user namespaces or root, or ${INSTALL_HINT}`,
      );
    }
  }

  return {
    id: 'bubblewrap',
    ensureAvailable(): Promise<void> {
      // One successful probe is enough; a failed one is retried on the next call.
      available ??= probe().catch((error: unknown) => {
        available = undefined;
        throw error;
      });
      return available;
    },
    run,
  };
}
