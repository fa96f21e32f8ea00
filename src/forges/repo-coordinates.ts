import { AutodevError } from '../errors.js';
import { parseRepoRef } from '../workspace/repo-ref.js';
import type { ForgeRepo } from './types.js';

/**
 * The repo's coordinates on a hosted forge, from its URL: `owner/name` (github, gitea) or a GitLab
 * project's full path with its subgroups. The host must be the forge's (`hosts`, compared without
 * port, so a test forge's API and git server may listen on different loopback ports); anything else
 * is REPO_NOT_ON_FORGE, naming the repo and the provider.
 */
export function locateOnForge(
  repo: string,
  forge: { id: string; hosts: readonly string[]; nested: boolean },
): ForgeRepo {
  const ref = parseRepoRef(repo);
  const refuse = (why: string): never => {
    throw new AutodevError(
      'REPO_NOT_ON_FORGE',
      `repo ${ref.normalized} is not on the ${forge.id} forge: ${why}`,
      {
        details: { repo: ref.normalized, provider: forge.id },
      },
    );
  };
  if (ref.kind !== 'remote') refuse('a local path has no forge; use provider "local"');
  const [host = '', ...segments] = ref.normalized.split('/');
  if (!forge.hosts.includes(host.toLowerCase()))
    refuse(`its host ${host} is not ${forge.hosts.join(' or ')}`);
  if (segments.length < 2) refuse('expected owner/name after the host');
  if (!forge.nested && segments.length !== 2) refuse('expected exactly owner/name after the host');
  const name = segments[segments.length - 1] ?? '';
  return { repo, path: segments.join('/'), owner: segments.slice(0, -1).join('/'), name };
}

/** The hostname (no port) of a URL, lowercased: what repo URLs are compared with. */
export function hostOf(url: string): string {
  return new URL(url).hostname.toLowerCase();
}
