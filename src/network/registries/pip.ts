import { targetFromUrl, type AllowedTarget } from '../allow-list.js';
import type { RegistryProbe } from './types.js';

/** pip's own default index and the host its files are served from, as pip itself defines them. */
const PIP_DEFAULT_INDEX =
  'from pip._internal.models.index import PyPI; print(PyPI.url); print("https://" + PyPI.file_storage_domain + "/")';

/** `key='value'` lines of `pip config list` (values of several URLs are separated by white space). */
function configuredUrls(listing: string, keys: readonly string[]): string[] {
  const urls: string[] = [];
  for (const line of listing.split('\n')) {
    const match = /^[^=]*\.([a-z-]+)='(.*)'$/.exec(line.trim());
    if (match?.[1] !== undefined && keys.includes(match[1])) urls.push(...(match[2] ?? '').split(/\s+/));
  }
  return urls;
}

/**
 * pip's index-url and extra-index-url from `pip config list` (which includes PIP_INDEX_URL and
 * PIP_EXTRA_INDEX_URL), find-links URLs, and pip's default index when no index-url replaces it.
 */
export const pipRegistries: RegistryProbe = {
  client: 'pip',
  async targets({ run }) {
    const listing = await run(['python3', '-m', 'pip', 'config', 'list']);
    if (listing === undefined) return [];
    const urls = configuredUrls(listing, ['index-url', 'extra-index-url', 'find-links']);
    if (configuredUrls(listing, ['index-url']).length === 0) {
      urls.push(...((await run(['python3', '-c', PIP_DEFAULT_INDEX])) ?? '').split('\n'));
    }
    return urls.map(targetFromUrl).filter((target): target is AllowedTarget => target !== undefined);
  },
};
