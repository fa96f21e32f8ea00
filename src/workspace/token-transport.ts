import { isIP } from 'node:net';
import { AutodevError } from '../errors.js';

/** Credentials for git over http(s): the forge decides the user name its tokens go with. */
export interface GitHttpAuth {
  username: string;
  password: string;
}

/** Whether the host is the loopback interface: a test forge on this machine, never a network hop. */
export function isLoopbackHost(hostname: string): boolean {
  const host = hostname.replace(/^\[|\]$/g, '');
  if (host === 'localhost') return true;
  if (isIP(host) === 4) return host.startsWith('127.');
  return host === '::1';
}

/**
 * A token travels only over https, or over plain http to loopback (a forge in the tests): anywhere
 * else plain http would hand it to whoever is on the path.
 */
export function assertTokenTransport(url: URL): void {
  if (url.protocol === 'https:') return;
  if (url.protocol === 'http:' && isLoopbackHost(url.hostname)) return;
  throw new AutodevError(
    'REPO_REFUSED',
    `a token is only sent over https (or http to loopback), never to ${url.origin}`,
  );
}

/**
 * The forge's credentials as git config for one command (GIT_CONFIG_* through run-git's secretConfig,
 * not argv, not the URL), scoped to the remote's origin so a redirect to another host does not get them.
 * Undefined for ssh and local remotes, which authenticate otherwise.
 */
export function gitAuthConfig(
  url: string,
  auth: GitHttpAuth | undefined,
): Record<string, string> | undefined {
  if (auth === undefined || auth.password === '') return undefined;
  if (!/^https?:\/\//i.test(url)) return undefined;
  const parsed = new URL(url);
  assertTokenTransport(parsed);
  const basic = Buffer.from(`${auth.username}:${auth.password}`).toString('base64');
  return { [`http.${parsed.origin}/.extraHeader`]: `Authorization: Basic ${basic}` };
}
