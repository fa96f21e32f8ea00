import { managerRun, type ManagerRun } from '../../../languages/node/setup.js';
import type { RunProjectCommandOptions } from '../../../languages/types.js';

/**
 * The lock step of pnpm and yarn runs with setup's environment (the repository's caches, writable:
 * pnpm's node_modules must come from the store setup used, or pnpm refuses it), with network. Not
 * with setup's prefer-offline: metadata cached by setup predates the new version, and the lockfile
 * would be resolved against it.
 */
export async function onlineManagerRun(options: RunProjectCommandOptions): Promise<ManagerRun> {
  const run = await managerRun(options, true, true);
  const env = Object.fromEntries(
    Object.entries(run.env).filter(([key]) => key !== 'npm_config_prefer_offline'),
  );
  return { env, binds: run.binds };
}
