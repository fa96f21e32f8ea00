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
