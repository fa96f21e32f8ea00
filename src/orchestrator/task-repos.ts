import { AutodevError } from '../errors.js';
import type { Task, TaskInput, TaskRepo } from '../domain/task.js';
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

/**
 * A multi-repo task delivers and merges only as a whole, on its own (issue #23, part 2): review of
 * its pull requests (policy's denial, a fallback decision, a base that moved and conflicts, a merge
 * the forge refuses before anything merged) is not built. Such a task fails here naming why, with
 * nothing pushed when policy sent it to review, never waiting for review as if it had one repository.
 */
export function refuseMultiRepoReview(task: Task, why: string, pushed: boolean): void {
  if (task.repos.length <= 1) return;
  const names = task.repos.map((r) => `${r.repo_normalized} (${r.role})`).join(', ');
  throw new AutodevError(
    'MULTI_REPO_UNSUPPORTED',
    `this task names ${task.repos.length} repositories (${names}) and would wait for review (${why}), ` +
      'but review of a multi-repo task is not built; ' +
      (pushed ? 'its pull requests stay open, none merged' : 'nothing was pushed'),
    { details: { repos: task.repos.map((r) => ({ repo: r.repo_normalized, role: r.role })) } },
  );
}
