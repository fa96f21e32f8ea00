import type { AutodevConfig } from '../config/schema.js';
import { createRepoAllowlist } from '../governance/allowlist.js';
import { createLocalForge, type LocalForgeDeps } from './local.js';
import { gitAuthHint, withAuthHint } from './auth-hint.js';
import type { Forge } from './types.js';

export { gitAuthHint } from './auth-hint.js';

/** What every forge is given by the runtime; each builds the rest from config. */
export type ForgeDeps = Omit<LocalForgeDeps, 'allowlist'>;

/**
 * Flat id → factory map; `[autodev] provider` accepts exactly these keys. A hosted forge's module
 * (and its SDK: Octokit, gitbeaker) is imported only when it is the configured one: a server on
 * another forge never holds them in memory.
 */
export const FORGES = {
  local: (config: AutodevConfig, deps: ForgeDeps): Promise<Forge> =>
    Promise.resolve(createLocalForge({ ...deps, allowlist: createRepoAllowlist(config.allowlist_repos) })),
  gitlab: async (config: AutodevConfig): Promise<Forge> =>
    (await import('./gitlab.js')).createGitlabForge({
      apiUrl: config.git.api_url,
      token: config.secrets.forgeToken,
      mergeMethod: config.git.merge_method,
    }),
  gitea: async (config: AutodevConfig): Promise<Forge> =>
    (await import('./gitea.js')).createGiteaForge({
      apiUrl: config.git.api_url,
      token: config.secrets.forgeToken,
      mergeMethod: config.git.merge_method,
    }),
  github: async (config: AutodevConfig): Promise<Forge> =>
    (await import('./github.js')).createGithubForge(config),
} as const;

export async function createForge(config: AutodevConfig, deps: ForgeDeps): Promise<Forge> {
  return withAuthHint(await FORGES[config.provider](config, deps), gitAuthHint(config));
}
