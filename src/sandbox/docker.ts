import { randomUUID } from 'node:crypto';
import { AutodevError, isAutodevError } from '../errors.js';
import { resolveBinds } from './binds.js';
import { validateCommand, withHome } from './command.js';
import { buildSandboxEnv } from './env.js';
import type { HostEnv } from './env.js';
import { CPU_HARD_GRACE_SECONDS, resolveLimits } from './limits.js';
import { signalledLimit } from './limit-signals.js';
import { spawnCapped } from './spawn-capped.js';
import type {
  Sandbox,
  SandboxBind,
  SandboxCommand,
  SandboxFactoryOptions,
  SandboxLimits,
  SandboxResult,
} from './types.js';

const WORKSPACE = '/workspace';
const HOME = '/autodev-home';
const DEFAULT_IMAGE = 'rust:1.82';

/** What the docker CLI (our side, not the sandbox) needs to reach the engine. */
const CLI_ENV = [
  'PATH',
  'HOME',
  'DOCKER_HOST',
  'DOCKER_CONTEXT',
  'DOCKER_CONFIG',
  'DOCKER_CERT_PATH',
  'DOCKER_TLS_VERIFY',
];

function cliEnv(hostEnv: HostEnv): Record<string, string> {
  const env: Record<string, string> = {};
  for (const name of CLI_ENV) {
    const value = hostEnv[name];
    if (value !== undefined) env[name] = value;
  }
  return env;
}

interface DockerPlan {
  name: string;
  image: string;
  cwd: string;
  home: string;
  /** Package caches, mounted at their host path (the env names that path). */
  binds?: readonly SandboxBind[];
  env: Readonly<Record<string, string>>;
  network: boolean;
  limits: SandboxLimits;
  argv: readonly string[];
}

/** `docker run` for one command: no network, no capabilities, read-only root, capped resources. */
export function dockerArgv(plan: DockerPlan): string[] {
  const uid = process.getuid?.() ?? 0;
  const gid = process.getgid?.() ?? 0;
  return [
    'docker',
    'run',
    '--rm',
    '--name',
    plan.name,
    ...(plan.network ? [] : ['--network', 'none']),
    '--cap-drop',
    'ALL',
    '--security-opt',
    'no-new-privileges',
    '--read-only',
    // Files written in the workspace belong to the server's user, not to the image's root.
    '--user',
    `${uid}:${gid}`,
    '--memory',
    String(plan.limits.memoryBytes),
    '--memory-swap',
    String(plan.limits.memoryBytes),
    '--pids-limit',
    String(plan.limits.processes),
    '--cpus',
    String(plan.limits.cpus),
    '--ulimit',
    `nofile=${plan.limits.openFiles}`,
    '--ulimit',
    // Soft below hard, as prlimit's (limits.ts): SIGXCPU at the soft limit names it, SIGKILL does not.
    `cpu=${plan.limits.cpuSeconds}:${plan.limits.cpuSeconds + CPU_HARD_GRACE_SECONDS}`,
    '--ulimit',
    `fsize=${plan.limits.fileSizeBytes}`,
    '--tmpfs',
    '/tmp:rw,exec',
    '-v',
    `${plan.cwd}:${WORKSPACE}`,
    '-v',
    `${plan.home}:${HOME}`,
    ...(plan.binds ?? []).flatMap((b) => ['-v', `${b.path}:${b.path}${b.writable ? '' : ':ro'}`]),
    '-w',
    WORKSPACE,
    ...Object.entries(plan.env).flatMap(([name, value]) => ['--env', `${name}=${value}`]),
    plan.image,
    ...plan.argv,
  ];
}

/** Docker's own report that the image has no such program (exit 127 from the CLI). */
function isMissingProgram(result: SandboxResult): boolean {
  return (
    result.exitCode === 127 &&
    result.stderr.startsWith('docker:') &&
    /executable file not found|no such file or directory/i.test(result.stderr)
  );
}

export function createDockerSandbox(options: SandboxFactoryOptions): Sandbox {
  const limits = resolveLimits(options.limits);
  const image = options.image ?? DEFAULT_IMAGE;
  const env = cliEnv(options.hostEnv);

  function removeContainer(name: string): void {
    // Killing the CLI leaves the container running; the engine must be told.
    spawnCapped({ argv: ['docker', 'rm', '-f', name], cwd: '/', env, timeoutMs: 30_000 }).catch(
      () => undefined,
    );
  }

  return {
    id: 'docker',
    async ensureAvailable(): Promise<void> {
      let result: SandboxResult;
      try {
        result = await spawnCapped({
          argv: ['docker', 'info', '--format', '{{.ServerVersion}}'],
          cwd: '/',
          env,
          timeoutMs: 20_000,
        });
      } catch (error) {
        throw new AutodevError('SANDBOX_UNAVAILABLE', `the docker CLI could not run: ${String(error)}`, {
          cause: error,
        });
      }
      if (result.exitCode !== 0) {
        throw new AutodevError(
          'SANDBOX_UNAVAILABLE',
          `no Docker engine answers (docker info exit ${String(result.exitCode)}): ${result.stderr.trim()}`,
        );
      }
    },
    async run(command: SandboxCommand): Promise<SandboxResult> {
      validateCommand(command);
      const binds = await resolveBinds(command.binds, options.bindRoot);
      return withHome(command.homeDir, async (home) => {
        const name = `autodev-${randomUUID()}`;
        const result = await spawnCapped({
          argv: dockerArgv({
            name,
            image,
            cwd: command.cwd,
            home,
            binds,
            env: buildSandboxEnv({
              hostEnv: options.hostEnv,
              home: HOME,
              extras: command.env,
              inheritToolchains: false,
              network: command.network ?? false,
            }),
            network: command.network ?? false,
            limits,
            argv: command.argv,
          }),
          cwd: command.cwd,
          env,
          timeoutMs: command.timeoutMs,
          signal: command.signal,
          maxOutputBytes: command.maxOutputBytes,
          onKill: () => removeContainer(name),
        }).catch((error: unknown) => {
          if (isAutodevError(error, 'COMMAND_NOT_FOUND')) {
            throw new AutodevError('SANDBOX_UNAVAILABLE', 'the docker CLI is not on PATH', { cause: error });
          }
          throw error;
        });
        if (isMissingProgram(result)) {
          const program = command.argv[0] ?? '';
          throw new AutodevError('COMMAND_NOT_FOUND', `command not found in ${image}: ${program}`, {
            details: { program, stderr: result.stderr },
          });
        }
        const limit = signalledLimit(result, limits);
        return limit === undefined ? result : { ...result, resourceLimit: limit };
      });
    },
  };
}
