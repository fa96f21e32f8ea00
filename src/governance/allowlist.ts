import { realpathSync } from 'node:fs';
import picomatch from 'picomatch';
import { parseRepoRef } from '../workspace/repo-ref.js';

/**
 * Whether a repo may be acted on, by its normalized name (`host/owner/name`, or an absolute path) and,
 * for a URL naming a port, its `host:port/owner/name` form (RepoRef.normalizedWithPort).
 */
export type RepoAllowlist = (normalizedRepo: string, normalizedWithPort?: string) => boolean;

interface AllowPattern {
  glob: string;
  /** Written with a port (`127.0.0.1:3000/org/*`): matched against the repo's form with its port. */
  withPort: boolean;
}

/**
 * Globs from `allowlist_repos` / AUTODEV_ALLOWED_REPOS, matched against the normalized repo
 * (`host/owner/name`, or an absolute path). A pattern written as a URL (`https://github.com/org/*`,
 * `git@github.com:org/*`) is normalized the same way, so every form of a repo meets every form of a
 * pattern. A pattern with a port matches only repos at that port; one without matches any port.
 * No pattern (the default) allows nothing.
 */
export function createRepoAllowlist(patterns: readonly string[]): RepoAllowlist {
  const normalized = patterns.map(normalizePattern);
  const realFolders = normalized
    .map((pattern) => withRealFolder(pattern.glob))
    .filter((glob) => glob !== undefined)
    .map((glob) => ({ glob, withPort: false }));
  const matchers = [...normalized, ...realFolders].map((pattern) => ({
    withPort: pattern.withPort,
    match: picomatch(pattern.glob, { dot: true, nocase: false }),
  }));
  return (normalizedRepo, normalizedWithPort) =>
    matchers.some(({ withPort, match }) =>
      withPort ? normalizedWithPort !== undefined && match(normalizedWithPort) : match(normalizedRepo),
    );
}

const GLOB_SEGMENT = /[*?[\]{}()!+@]/;

/**
 * A local pattern whose literal folders lie behind a symlink (`/srv/git/**` with /srv -> /data) also
 * matches by their real path, since local repos are checked by their real path too. Read once, at
 * start-up, from the trusted config.
 */
function withRealFolder(pattern: string): string | undefined {
  if (!pattern.startsWith('/')) return undefined;
  const segments = pattern.split('/');
  const firstGlob = segments.findIndex((segment) => GLOB_SEGMENT.test(segment));
  const literal = segments.slice(0, firstGlob === -1 ? segments.length : firstGlob).join('/') || '/';
  let real: string;
  try {
    real = realpathSync(literal);
  } catch {
    return undefined;
  }
  if (real === literal) return undefined;
  const rest = firstGlob === -1 ? [] : segments.slice(firstGlob);
  return [real === '/' ? '' : real, ...rest].join('/');
}

// `host:port/path`, as the issue and the forges' test servers write it; linear (no nested quantifiers).
const HOST_PORT_PATTERN = /^([^/@:]+):(\d{1,5})\/(.+)$/;

function normalizePattern(pattern: string): AllowPattern {
  const trimmed = pattern.trim();
  // A local repo's normalized form is its path as given, `.git` included: so is the pattern's.
  if (trimmed.startsWith('/')) return { glob: trimmed.replace(/(?<=.)\/+$/, ''), withPort: false };
  const hostPort = HOST_PORT_PATTERN.exec(trimmed);
  if (hostPort) {
    const [, host = '', port = '', path = ''] = hostPort;
    return { glob: `${host.toLowerCase()}:${port}/${trimRepoPath(path)}`, withPort: true };
  }
  if (!/[:@]/.test(trimmed)) return { glob: trimRepoPath(trimmed), withPort: false };
  // Globs are not valid repo names: swap them for placeholders, normalize, and swap back.
  const placeholders: string[] = [];
  const masked = trimmed.replace(/\*+|\?|\{[^}]*\}|\[[^\]]*\]/g, (glob) => {
    placeholders.push(glob);
    return `glob${placeholders.length - 1}x`;
  });
  const unmask = (text: string) =>
    text.replace(/glob(\d+)x/g, (_m, i: string) => placeholders[Number(i)] ?? '');
  try {
    const ref = parseRepoRef(masked);
    if (ref.normalizedWithPort !== undefined) return { glob: unmask(ref.normalizedWithPort), withPort: true };
    return { glob: unmask(ref.normalized), withPort: false };
  } catch {
    return { glob: trimmed, withPort: false };
  }
}

function trimRepoPath(path: string): string {
  return path.replace(/\/+$/, '').replace(/\.git$/, '');
}
