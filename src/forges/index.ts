import type { AutodevConfig } from '../config/schema.js';
import { createRepoAllowlist } from '../governance/allowlist.js';
import { createGiteaForge } from './gitea.js';
import { createGitlabForge } from './gitlab.js';
import { createGithubForge } from './github.js';
import { createLocalForge, type LocalForgeDeps } from './local.js';
import { gitAuthHint, withAuthHint } from './auth-hint.js';
import type { Forge } from './types.js';

export { gitAuthHint } from './auth-hint.js';

/** What every forge is given by the runtime; each builds the rest from config. */
export type ForgeDeps = Omit<LocalForgeDeps, 'allowlist'>;

/** Flat id → factory map; `[autodev] provider` accepts exactly these keys. */
export const FORGES = {
  local: (config: AutodevConfig, deps: ForgeDeps): Forge =>
    createLocalForge({ ...deps, allowlist: createRepoAllowlist(config.allowlist_repos) }),
  gitlab: (config: AutodevConfig): Forge =>
    createGitlabForge({
      apiUrl: config.git.api_url,
      token: config.secrets.forgeToken,
      mergeMethod: config.git.merge_method,
    }),
  gitea: (config: AutodevConfig): Forge =>
    createGiteaForge({
      apiUrl: config.git.api_url,
      token: config.secrets.forgeToken,
      mergeMethod: config.git.merge_method,
    }),
  github: (config: AutodevConfig): Forge => createGithubForge(config),
} as const;

export function createForge(config: AutodevConfig, deps: ForgeDeps): Forge {
  return withAuthHint(FORGES[config.provider](config, deps), gitAuthHint(config));
}
