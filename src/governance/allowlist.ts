import picomatch from 'picomatch';
import { parseRepoRef } from '../workspace/repo-ref.js';

export type RepoAllowlist = (normalizedRepo: string) => boolean;

/**
 * Globs from `allowlist_repos` / AUTODEV_ALLOWED_REPOS, matched against the normalized repo
 * (`host/owner/name`, or an absolute path). A pattern written as a URL (`https://github.com/org/*`,
 * `git@github.com:org/*`) is normalized the same way, so every form of a repo meets every form of a pattern.
 */
export function createRepoAllowlist(patterns: readonly string[]): RepoAllowlist {
  const matchers = patterns.map((pattern) =>
    picomatch(normalizePattern(pattern), { dot: true, nocase: false }),
  );
  return (normalizedRepo) => matchers.some((match) => match(normalizedRepo));
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
