import type { AutodevConfig } from '../config/schema.js';
import { createLocalForge, type LocalForgeDeps } from './local.js';
import type { Forge } from './types.js';

export type ForgeDeps = LocalForgeDeps;

/** Flat id → factory map; `[autodev] provider` accepts exactly these keys. */
export const FORGES = {
  local: (_config: AutodevConfig, deps: ForgeDeps): Forge => createLocalForge(deps),
} as const;

export function createForge(config: AutodevConfig, deps: ForgeDeps): Forge {
  return FORGES[config.provider](config, deps);
}
