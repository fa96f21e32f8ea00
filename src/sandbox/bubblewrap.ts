import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { AutodevError, isAutodevError } from '../errors.js';
import { assertProgramExists, validateCommand, withHome } from './command.js';
import { buildSandboxEnv } from './env.js';
import { hideArgs } from './host-view.js';
import { prlimitArgv, resolveLimits } from './limits.js';
import { spawnCapped } from './spawn-capped.js';
import type {
  Sandbox,
  SandboxCommand,
  SandboxFactoryOptions,
  SandboxLimits,
  SandboxResult,
} from './types.js';

const INSTALL_HINT = 'install it with `apt-get install bubblewrap`';

interface BwrapPlan {
  cwd: string;
  home: string;
  env: Readonly<Record<string, string>>;
  network: boolean;
  limits: SandboxLimits;
  /** Host paths replaced by an empty tmpfs, toolchains inside them shown again read-only. */
  hidden: readonly string[];
  argv: readonly string[];
}

/**
 * The bwrap argv. Every namespace is unshared (network too unless asked for), all
 * capabilities are dropped (we may run as root, and root with CAP_SYS_ADMIN could remount /
 * writable), the host is visible read-only but for the server's HOME and data dir, /tmp is a
 * private tmpfs, and only the workspace and HOME are writable. Limits come from prlimit inside, so bwrap itself is not limited.
 */
export function bwrapArgv(plan: BwrapPlan): string[] {
  const setenv = Object.entries(plan.env).flatMap(([name, value]) => ['--setenv', name, value]);
  return [
    'bwrap',
    '--die-with-parent',
    '--new-session',
    '--unshare-all',
    ...(plan.network ? ['--share-net'] : []),
    '--cap-drop',
    'ALL',
    '--ro-bind',
    '/',
    '/',
    '--dev',
    '/dev',
    '--proc',
    '/proc',
    '--tmpfs',
    '/tmp',
    ...hideArgs(plan.hidden, plan.env),
    // After the tmpfs, so a workspace or HOME under /tmp is mounted on top of it.
    '--bind',
    plan.home,
    plan.home,
    '--bind',
    plan.cwd,
    plan.cwd,
    '--chdir',
    plan.cwd,
    '--clearenv',
    ...setenv,
    '--',
    ...prlimitArgv(plan.limits),
    ...plan.argv,
  ];
}

export function createBubblewrapSandbox(options: SandboxFactoryOptions): Sandbox {
  const limits = resolveLimits(options.limits);
  const hidden = [...(options.hostEnv.HOME ? [options.hostEnv.HOME] : []), ...(options.hide ?? [])];
  let available: Promise<void> | undefined;

  async function run(command: SandboxCommand): Promise<SandboxResult> {
    validateCommand(command);
    return withHome(command.homeDir, async (home) => {
      const env = buildSandboxEnv({
        hostEnv: options.hostEnv,
        home,
        extras: command.env,
        inheritToolchains: true,
        network: command.network ?? false,
      });
      // The sandbox sees the host's filesystem, so the program is looked up here first:
      // bwrap would report a missing one only as its own exit status 1.
      await assertProgramExists(command.argv[0] ?? '', command.cwd, env.PATH ?? '');
      const argv = bwrapArgv({
        cwd: command.cwd,
        home,
        env,
        network: command.network ?? false,
        limits,
        hidden,
        argv: command.argv,
      });
      return spawnCapped({
        argv,
        cwd: command.cwd,
        // bwrap itself gets the scrubbed env too, so no secret sits in any process of the run.
        env,
        timeoutMs: command.timeoutMs,
        signal: command.signal,
        maxOutputBytes: command.maxOutputBytes,
      }).catch((error: unknown) => {
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
      });
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
