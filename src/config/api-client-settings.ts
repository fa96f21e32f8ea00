import { AutodevError } from '../errors.js';
import type { Environment } from './load.js';

export const DEFAULT_API_URL = 'http://127.0.0.1:8080';

/** Where the CLI's API commands (`autodev task submit|list|show|cancel`) reach a running autodev. */
export interface ApiClientSettings {
  /** The server's base URL, without a trailing slash. */
  url: string;
  /** Bearer token (one of the server's AUTODEV_API_TOKENS), from AUTODEV_TOKEN. */
  token?: string;
}

/** `--url`, else AUTODEV_URL, else the server's default address; the token from AUTODEV_TOKEN only. */
export function apiClientSettings(urlFlag: string | undefined, env: Environment): ApiClientSettings {
  const [source, raw] =
    urlFlag !== undefined
      ? ['--url', urlFlag]
      : env.AUTODEV_URL
        ? ['AUTODEV_URL', env.AUTODEV_URL]
        : ['default', DEFAULT_API_URL];
  let url: URL | undefined;
  try {
    url = new URL(raw.trim());
  } catch {
    url = undefined;
  }
  if (url === undefined || (url.protocol !== 'http:' && url.protocol !== 'https:')) {
    throw new AutodevError(
      'CONFIG_INVALID',
      `${source} ${JSON.stringify(raw)}: expected the server's http(s) address such as ${DEFAULT_API_URL}`,
    );
  }
  const token = env.AUTODEV_TOKEN?.trim();
  return { url: url.href.replace(/\/+$/, ''), token: token ? token : undefined };
}
