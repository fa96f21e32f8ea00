import { AutodevError } from '../errors.js';
import { locateLocalRepo } from '../workspace/local-repo-location.js';
import type { RepoRef } from '../workspace/repo-ref.js';
import type { RepoAllowlist } from './allowlist.js';

/** A local repository's git directory `<work tree>/.git` is allowed when its work tree is. */
function allowedPath(allowlist: RepoAllowlist, real: string): boolean {
  return allowlist(real) || (real.endsWith('/.git') && allowlist(real.slice(0, -'/.git'.length)));
}

/**
 * Checks `ref` against the allowlist and returns what git must be given for it. A remote repo is
 * matched by its normalized name and fetched by its URL. A local repo (path or file:// URL) is matched
 * by its path as given AND by the real path of every directory git would reach through it (symlinks,
 * `.git` files, `commondir`, the repositories `objects/info/alternates` borrows objects from), and git gets that real git directory: a link swapped later changes
 * nothing git does. Called at submission and again before every fetch and push.
 */
export async function resolveAllowedRepo(ref: RepoRef, allowlist: RepoAllowlist): Promise<string> {
  if (!allowlist(ref.normalized, ref.normalizedWithPort)) {
    throw new AutodevError(
      'REPO_NOT_ALLOWED',
      `repository ${ref.normalized} is not in allowlist_repos: autodev acts only on listed repositories ` +
        '(none by default); add it to [autodev] allowlist_repos or AUTODEV_ALLOWED_REPOS',
      { details: { repo: ref.normalized, key: 'allowlist_repos', env: 'AUTODEV_ALLOWED_REPOS' } },
    );
  }
  if (ref.kind === 'remote') return ref.cloneUrl;
  const location = await locateLocalRepo(ref.cloneUrl);
  const outside = location.reached.find((real) => !allowedPath(allowlist, real));
  if (outside !== undefined) {
    throw new AutodevError(
      'REPO_NOT_ALLOWED',
      // Where it leads stays out of the answer: the client learns nothing of the host's file tree.
      `repository ${ref.normalized} resolves to a path outside allowlist_repos (symlinks, .git files and objects/info/alternates are followed)`,
      { details: { repo: ref.normalized } },
    );
  }
  return location.gitDir;
}
