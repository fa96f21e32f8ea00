import { targetFromUrl, type AllowedTarget } from '../allow-list.js';
import type { RegistryProbe } from './types.js';

/** npm's `registry` and every scoped `@scope:registry`, as `npm config list --json` reports them. */
export const npmRegistries: RegistryProbe = {
  client: 'npm',
  async targets({ run }) {
    const out = await run(['npm', 'config', 'list', '--json']);
    if (out === undefined) return [];
    let config: unknown;
    try {
      config = JSON.parse(out);
    } catch {
      return [];
    }
    if (typeof config !== 'object' || config === null) return [];
    return Object.entries(config)
      .filter(
        ([key, value]) => (key === 'registry' || key.endsWith(':registry')) && typeof value === 'string',
      )
      .map(([, value]) => targetFromUrl(value as string))
      .filter((target): target is AllowedTarget => target !== undefined);
  },
};
