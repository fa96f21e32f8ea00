import { targetFromUrl, type AllowedTarget } from '../allow-list.js';
import type { RegistryProbe } from './types.js';

/**
 * yarn's registry as yarn 1 reports it (yarn 2+ defaults to the same one, npmRegistryServer). Corepack
 * is told not to fetch anything: a probe must never download a package manager.
 */
export const yarnRegistries: RegistryProbe = {
  client: 'yarn',
  async targets({ run }) {
    const out = await run(['yarn', 'config', 'get', 'registry']);
    const target = out === undefined ? undefined : targetFromUrl(out.trim());
    return target === undefined ? [] : ([target] satisfies AllowedTarget[]);
  },
};
