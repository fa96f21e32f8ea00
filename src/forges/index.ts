import type { AutodevConfig } from '../config/schema.js';
import { createRepoAllowlist } from '../governance/allowlist.js';
import { createGithubForge } from './github.js';
import { createLocalForge, type LocalForgeDeps } from './local.js';
import type { Forge } from './types.js';

/** What every forge is given by the runtime; each builds the rest from config. */
export type ForgeDeps = Omit<LocalForgeDeps, 'allowlist'>;

/** Flat id → factory map; `[autodev] provider` accepts exactly these keys. */
export const FORGES = {
  local: (config: AutodevConfig, deps: ForgeDeps): Forge =>
    createLocalForge({ ...deps, allowlist: createRepoAllowlist(config.allowlist_repos) }),
  github: (config: AutodevConfig, deps: ForgeDeps): Forge => createGithubForge(config, deps),
} as const;

export function createForge(config: AutodevConfig, deps: ForgeDeps): Forge {
  return FORGES[config.provider](config, deps);
}
