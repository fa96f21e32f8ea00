import { spawnCapped } from '../../sandbox/spawn-capped.js';
import type { AllowedTarget } from '../allow-list.js';
import { cargoRegistries } from './cargo.js';
import { cargoDefaultRegistry } from './cargo-default.js';
import { registryClientEnv } from './client-env.js';
import { goRegistries } from './go.js';
import { npmRegistries } from './npm.js';
import { pipRegistries } from './pip.js';
import { uvRegistries } from './uv.js';
import { yarnRegistries } from './yarn.js';
import type { HostCommand, RegistryProbe } from './types.js';

export const REGISTRY_PROBES: readonly RegistryProbe[] = [
  npmRegistries,
  yarnRegistries,
  pipRegistries,
  uvRegistries,
  goRegistries,
  cargoRegistries,
  cargoDefaultRegistry,
];

/** A client reads its configuration in well under a second; a hung one must not hold setup. */
const PROBE_TIMEOUT_MS = 15_000;
const PROBE_MAX_OUTPUT = 1024 * 1024;

/** Runs a client on the host, in `cwd` (never a repository: its own .npmrc must not widen the list). */
export function hostCommand(env: Readonly<Record<string, string | undefined>>, cwd: string): HostCommand {
  const clientEnv = {
    ...registryClientEnv(env),
    // Corepack (behind yarn and pnpm) must not download a package manager to answer a question.
    COREPACK_ENABLE_NETWORK: '0',
    COREPACK_ENABLE_DOWNLOAD_PROMPT: '0',
  };
  return async (argv) => {
    const result = await spawnCapped({
      argv,
      cwd,
      env: clientEnv,
      timeoutMs: PROBE_TIMEOUT_MS,
      maxOutputBytes: PROBE_MAX_OUTPUT,
    }).catch(() => undefined);
    // A client that is missing, fails, hangs or prints past the cap says nothing.
    if (result?.exitCode !== 0 || result.timedOut || result.truncated) return undefined;
    return result.stdout;
  };
}

export interface RegistryTargets {
  client: string;
  targets: AllowedTarget[];
}

/** Every client's registries, each client's probe on its own so one missing client takes nothing from the others. */
export async function discoverRegistries(
  hostEnv: Readonly<Record<string, string | undefined>>,
  cwd: string,
  probes: readonly RegistryProbe[] = REGISTRY_PROBES,
): Promise<RegistryTargets[]> {
  const run = hostCommand(hostEnv, cwd);
  return Promise.all(
    probes.map(async (probe) => ({
      client: probe.client,
      targets: await probe.targets({ run, hostEnv }).catch(() => []),
    })),
  );
}

/**
 * The registry the host's npm is configured for (`npm config get registry`, run outside any
 * repository), for corepack inside the sandbox; undefined when npm is not installed or says nothing.
 */
export async function hostNpmRegistry(
  env: Readonly<Record<string, string | undefined>>,
): Promise<string | undefined> {
  const out = (await hostCommand(env, env.HOME ?? '/')(['npm', 'config', 'get', 'registry']))?.trim();
  return out === undefined || out === '' || out === 'undefined' ? undefined : out;
}
