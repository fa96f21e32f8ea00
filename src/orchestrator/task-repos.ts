import { AutodevError } from '../errors.js';
import type { TaskInput, TaskRepo } from '../domain/task.js';
import type { RepoAllowlist } from '../governance/allowlist.js';
import { resolveAllowedRepo } from '../governance/repo-access.js';
import type { Forge } from '../forges/types.js';
import { parseRepoRef } from '../workspace/repo-ref.js';

/**
 * Every repository of a submitted task, checked as the task's own repository is (repo refusal, the
 * forge, the allowlist) and normalized; the library first. A repository listed twice under two
 * spellings (a path and its file:// URL, https and ssh) is refused naming the entry.
 */
export async function resolveTaskRepos(
  input: TaskInput,
  forge: Pick<Forge, 'locate'>,
  allowlist: RepoAllowlist,
): Promise<TaskRepo[]> {
  const entries = input.repos ?? [{ repo: input.repo, base_branch: input.base_branch, role: 'library' }];
  // The API checks this too; the service holds for every caller (triggers, updates, the CLI).
  const libraries = entries.filter((entry) => entry.role === 'library').length;
  if (libraries !== 1) {
    throw new AutodevError(
      'VALIDATION_FAILED',
      `repos: expected exactly one entry with role "library", found ${libraries}`,
    );
  }
  const resolved: TaskRepo[] = [];
  const seen = new Map<string, number>();
  for (const [index, entry] of entries.entries()) {
    const ref = parseRepoRef(entry.repo);
    const earlier = seen.get(ref.normalized);
    if (earlier !== undefined) {
      throw new AutodevError(
        'VALIDATION_FAILED',
        `repos.${index}.repo: ${ref.normalized} is already repos.${earlier}.repo; list each repository once`,
        { details: [{ field: `repos.${index}.repo`, message: 'repository listed twice' }] },
      );
    }
    seen.set(ref.normalized, index);
    forge.locate(entry.repo);
    await resolveAllowedRepo(ref, allowlist);
    resolved.push({ ...entry, repo: ref.cloneUrl, repo_normalized: ref.normalized });
  }
  // The library leads: it is `repo` of the task, changed first, and what consumers are built against.
  return [...resolved.filter((r) => r.role === 'library'), ...resolved.filter((r) => r.role !== 'library')];
}
