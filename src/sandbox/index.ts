import type { AutodevConfig } from '../config/schema.js';
import { createBubblewrapSandbox } from './bubblewrap.js';
import { createDockerSandbox } from './docker.js';
import type { HostEnv } from './env.js';
import { createNoneSandbox } from './none.js';
import { DEFAULT_SANDBOX_UID, type Sandbox, type SandboxFactoryOptions, type SandboxId } from './types.js';
import { dropsPrivileges, grantAtCreation } from './unprivileged-user.js';

export const SANDBOXES = {
  bubblewrap: createBubblewrapSandbox,
  docker: createDockerSandbox,
  none: createNoneSandbox,
} as const satisfies Record<SandboxId, (options: SandboxFactoryOptions) => Sandbox>;

export interface SandboxDeps {
  /** The server's environment, passed in from src/config; only an allowlist reaches commands. */
  hostEnv: HostEnv;
}

export function createSandbox(
  config: Pick<
    AutodevConfig,
    'sandbox' | 'sandbox_image' | 'sandbox_uid' | 'dataDir' | 'setup_network_allow'
  >,
  deps: SandboxDeps,
): Sandbox {
  return SANDBOXES[config.sandbox]({
    hostEnv: deps.hostEnv,
    image: config.sandbox_image,
    hide: [config.dataDir],
    // Package caches (data_dir/caches) are the only extra folders a command may get bound.
    bindRoot: config.dataDir,
    uid: config.sandbox_uid,
    networkAllow: config.setup_network_allow,
  });
}

/**
 * What a new workspace folder needs before its checkout for this sandbox: under bubblewrap as root,
 * the sandbox uid's default ACL (grantAtCreation); nothing for the other backends.
 */
export function workspaceCreationHook(
  config: Pick<AutodevConfig, 'sandbox' | 'sandbox_uid'>,
): ((dir: string) => Promise<void>) | undefined {
  if (config.sandbox !== 'bubblewrap' || !dropsPrivileges()) return undefined;
  const uid = config.sandbox_uid ?? DEFAULT_SANDBOX_UID;
  return (dir) => grantAtCreation(dir, uid);
}

export type { Sandbox, SandboxCommand, SandboxResult, SandboxId, SandboxLimits } from './types.js';
