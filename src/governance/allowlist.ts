import { realpathSync } from 'node:fs';
import picomatch from 'picomatch';
import { parseRepoRef } from '../workspace/repo-ref.js';

export type RepoAllowlist = (normalizedRepo: string) => boolean;

/**
 * Globs from `allowlist_repos` / AUTODEV_ALLOWED_REPOS, matched against the normalized repo
 * (`host/owner/name`, or an absolute path). A pattern written as a URL (`https://github.com/org/*`,
 * `git@github.com:org/*`) is normalized the same way, so every form of a repo meets every form of a pattern.
 */
export function createRepoAllowlist(patterns: readonly string[]): RepoAllowlist {
  const normalized = patterns.map(normalizePattern);
  const matchers = [...normalized, ...normalized.map(withRealFolder).filter((p) => p !== undefined)].map(
    (pattern) => picomatch(pattern, { dot: true, nocase: false }),
  );
  return (normalizedRepo) => matchers.some((match) => match(normalizedRepo));
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

function normalizePattern(pattern: string): string {
  const trimmed = pattern.trim();
  // A local repo's normalized form is its path as given, `.git` included: so is the pattern's.
  if (trimmed.startsWith('/')) return trimmed.replace(/(?<=.)\/+$/, '');
  if (!/[:@]/.test(trimmed)) return trimmed.replace(/\/+$/, '').replace(/\.git$/, '');
  // Globs are not valid repo names: swap them for placeholders, normalize, and swap back.
  const placeholders: string[] = [];
  const masked = trimmed.replace(/\*+|\?|\{[^}]*\}|\[[^\]]*\]/g, (glob) => {
    placeholders.push(glob);
    return `glob${placeholders.length - 1}x`;
  });
  try {
    const normalized = parseRepoRef(masked).normalized;
    return normalized.replace(/glob(\d+)x/g, (_m, i: string) => placeholders[Number(i)] ?? '');
  } catch {
    return trimmed;
  }
}
