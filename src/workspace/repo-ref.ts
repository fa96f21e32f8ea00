import { posix } from 'node:path';
import { fileURLToPath } from 'node:url';
import { AutodevError } from '../errors.js';
import { redactGitText } from './run-git.js';

/** A repository as autodev accepts it: where git clones it from, and the name allowlists and mirrors use. */
export interface RepoRef {
  kind: 'local' | 'remote';
  /** What git is given: an absolute path for local repos, the URL (without trailing slash) for remote ones. */
  cloneUrl: string;
  /**
   * `host/owner/name` for remote repos (lowercased host, no port, no `.git`), so that the https, ssh and
   * `git@host:` forms of one repo are equal; the absolute path for local repos.
   */
  normalized: string;
  /**
   * `host:port/owner/name` when a remote URL names a port: an allowlist entry written with a port
   * (`127.0.0.1:3000/org/*`) is matched against it, so two services on one host stay apart.
   */
  normalizedWithPort?: string;
}

const REMOTE_SCHEMES = new Set(['https:', 'http:', 'ssh:', 'git:']);
const HOST = /^[a-z0-9](?:[a-z0-9-]*[a-z0-9])?(?:\.[a-z0-9](?:[a-z0-9-]*[a-z0-9])?)*$/i;
const SSH_USER = /^[a-z0-9_][a-z0-9._-]*$/i;
// git's scp-like syntax: [user@]host:path, recognised (as git does) only when no slash precedes the colon.
const SCP_LIKE = /^(?:([^@/:]+)@)?([^@/:]+):(.*)$/;
// `transport::address` makes git run a remote helper; `ext::` runs an arbitrary command.
const TRANSPORT_PREFIX = /^[a-z][a-z0-9+.-]*::/i;

function refuse(input: string, problem: string): never {
  // The refused value goes into logs and API answers: its credentials, if any, do not.
  const redacted = redactGitText(input);
  const shown = JSON.stringify(redacted.length > 200 ? `${redacted.slice(0, 200)}…` : redacted);
  throw new AutodevError('REPO_REFUSED', `repository ${shown} refused: ${problem}`, { details: { problem } });
}

/** Splits a repo path into owner/name segments, refusing dot segments and dropping `.git`. */
function repoPath(input: string, rawPath: string): string {
  const trimmed = rawPath.replace(/^\/+/, '').replace(/\/+$/, '');
  if (trimmed === '') refuse(input, 'expected a repository path of the form owner/name');
  const segments = trimmed.split('/');
  const last = segments.length - 1;
  segments[last] = (segments[last] ?? '').replace(/\.git$/i, '');
  if (segments.some((s) => s === '' || s === '.' || s === '..')) {
    refuse(input, 'the repository path has empty or dot segments');
  }
  if (segments.length < 2) refuse(input, 'expected a repository path of the form owner/name');
  if (segments.some((s) => s.startsWith('-'))) refuse(input, 'a path segment starts with "-"');
  return segments.join('/');
}

function checkHost(input: string, host: string): string {
  if (!HOST.test(host)) refuse(input, `invalid host ${JSON.stringify(host)}`);
  return host.toLowerCase();
}

function parseLocalPath(input: string, path: string): RepoRef {
  if (path.split('/').includes('..')) refuse(input, 'the path contains ".." segments');
  const normalized = posix.normalize(path).replace(/(?<=.)\/+$/, '');
  return { kind: 'local', cloneUrl: normalized, normalized };
}

function parseUrl(input: string): RepoRef {
  // The URL parser would resolve `..` silently; a reference that needs it is refused instead.
  if (/\/\.{1,2}(?=\/|$)/.test(input) || /%2e/i.test(input)) refuse(input, 'the path has dot segments');
  let url: URL;
  try {
    url = new URL(input);
  } catch {
    return refuse(input, 'not a valid URL');
  }
  if (url.protocol === 'file:') {
    if (url.host !== '' && url.host !== 'localhost') refuse(input, 'file:// URLs must name a local path');
    if (url.search !== '' || url.hash !== '') refuse(input, 'query strings and fragments are not accepted');
    if (/%2f|%00/i.test(url.pathname)) refuse(input, 'encoded slashes or NUL in the path');
    return parseLocalPath(input, fileURLToPath(url));
  }
  if (!REMOTE_SCHEMES.has(url.protocol)) {
    refuse(
      input,
      `transport ${url.protocol.slice(0, -1)} is not allowed (use https, ssh, git or a local path)`,
    );
  }
  if (url.password !== '')
    refuse(input, 'credentials in the URL are not accepted; configure a token instead');
  if (url.username !== '' && url.protocol !== 'ssh:') {
    refuse(input, 'credentials in the URL are not accepted; configure a token instead');
  }
  if (url.username !== '' && !SSH_USER.test(decodeURIComponent(url.username))) {
    refuse(input, 'invalid ssh user name');
  }
  if (url.search !== '' || url.hash !== '') refuse(input, 'query strings and fragments are not accepted');
  const host = checkHost(input, url.hostname);
  const path = repoPath(input, decodeURIComponent(url.pathname));
  const cloneUrl = url.href.replace(/\/+$/, '');
  const normalized = `${host}/${path}`;
  if (url.port === '') return { kind: 'remote', cloneUrl, normalized };
  return { kind: 'remote', cloneUrl, normalized, normalizedWithPort: `${host}:${url.port}/${path}` };
}

function parseScpLike(input: string, match: RegExpExecArray): RepoRef {
  const [, user, rawHost = '', path = ''] = match;
  if (user !== undefined && !SSH_USER.test(user)) refuse(input, 'invalid ssh user name');
  const host = checkHost(input, rawHost);
  return {
    kind: 'remote',
    cloneUrl: input.replace(/\/+$/, ''),
    normalized: `${host}/${repoPath(input, path)}`,
  };
}

/**
 * Parses a repository reference as a user gives it. Throws REPO_REFUSED, naming the problem, for
 * anything git could be tricked with: embedded credentials, `ext::` and other transports, option-like
 * values, control characters, relative paths.
 */
export function parseRepoRef(input: string): RepoRef {
  if (typeof input !== 'string' || input.trim() === '') refuse(String(input), 'the repository is empty');
  // eslint-disable-next-line no-control-regex
  if (/[\u0000-\u001f\u007f]/.test(input)) refuse(input, 'control characters are not accepted');
  if (input !== input.trim()) refuse(input, 'leading or trailing whitespace');
  if (input.startsWith('-')) refuse(input, 'a value starting with "-" would be read as an option');
  if (TRANSPORT_PREFIX.test(input))
    refuse(input, 'transport::address remote helpers (such as ext::) are not allowed');

  if (input.startsWith('/')) return parseLocalPath(input, input);
  if (/^[a-z][a-z0-9+.-]*:\/\//i.test(input)) {
    if (/\s/.test(input)) refuse(input, 'whitespace in a URL');
    return parseUrl(input);
  }
  const scp = SCP_LIKE.exec(input);
  if (scp !== null) {
    if (/\s/.test(input)) refuse(input, 'whitespace in a repository address');
    return parseScpLike(input, scp);
  }
  return refuse(input, 'relative paths are not accepted; give an absolute path or a URL');
}

/**
 * The name a repository's tasks are stored under (`repo_normalized`) for whatever a caller gives to
 * find them: a URL, an ssh or `git@host:` address, a path, or that name itself (`host/owner/name` is
 * no address git accepts, so it is kept as given). A lookup, not an act on the repository: a value
 * parseRepoRef refuses is kept as given too and simply names no stored repository.
 */
export function repoLookupName(value: string): string {
  try {
    return parseRepoRef(value).normalized;
  } catch {
    return value;
  }
}
