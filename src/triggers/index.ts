import type { AutodevConfig } from '../config/schema.js';
import type { Store } from '../store/index.js';
import { createGiteaTriggerSource } from './gitea.js';
import { createGithubTriggerSource } from './github.js';
import { createGitlabTriggerSource } from './gitlab.js';
import { createLocalTriggerSource } from './local.js';
import type { TriggerSource } from './types.js';

export interface TriggerSourceDeps {
  store: Store;
}

/**
 * Flat forge id → factory map. A forge missing here has no triggers yet: its issues and comments are
 * not read (its pull request reviews still are, by the review intake).
 */
export const TRIGGER_SOURCES: Partial<
  Record<AutodevConfig['provider'], (config: AutodevConfig, deps: TriggerSourceDeps) => TriggerSource>
> = {
  local: (_config, deps) => createLocalTriggerSource(deps.store),
  github: (config) => createGithubTriggerSource(config),
  gitlab: (config) => createGitlabTriggerSource(config),
  gitea: (config) => createGiteaTriggerSource(config),
};

export function createTriggerSource(
  config: AutodevConfig,
  deps: TriggerSourceDeps,
): TriggerSource | undefined {
  return TRIGGER_SOURCES[config.provider]?.(config, deps);
}
