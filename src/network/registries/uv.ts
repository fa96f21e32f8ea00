import { targetFromUrl, type AllowedTarget } from '../allow-list.js';
import type { RegistryProbe } from './types.js';

/** The variables that set uv's default index (the second is its older name); an empty one is unset. */
export const UV_INDEX_VARIABLES = ['UV_DEFAULT_INDEX', 'UV_INDEX_URL'] as const;

/**
 * uv's default index as the machine sets it (UV_DEFAULT_INDEX, UV_INDEX_URL): uv has no command
 * that prints its configuration. Without them uv uses the same default index as pip, which the pip
 * probe already names.
 */
export const uvRegistries: RegistryProbe = {
  client: 'uv',
  targets({ hostEnv }) {
    return Promise.resolve(
      UV_INDEX_VARIABLES.map((name) => hostEnv[name])
        .filter((value): value is string => value !== undefined && value !== '')
        .map(targetFromUrl)
        .filter((target): target is AllowedTarget => target !== undefined),
    );
  },
};
