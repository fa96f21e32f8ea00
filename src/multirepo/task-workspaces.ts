import type { TaskRepo } from '../domain/task.js';
import type { LintReport } from '../languages/types.js';
import type { TestToolOutput } from '../tools/test.js';

/**
 * A consumer repository of a multi-repo task as the run holds it: its own worktree (prepared like the
 * library's), the name the model and the step keys know it by, and its tests before any change.
 * The library is the task's own workspace (TaskContext.workspaceDir) and is not listed here.
 */
export interface ConsumerWorkspace {
  repo: TaskRepo;
  /** What the model's `repo` parameter and the step keys (`prepare.test@<name>#1`) call it. */
  name: string;
  /** The workspace id its worktree is kept under: the task's id and its place in the task. */
  workspaceId: string;
  dir: string;
  branch: string;
  baseCommit: string;
  files: string[];
  baseline?: TestToolOutput;
  /** Its linters' findings on its base: what they find there is not the change's (undefined: none taken). */
  lintBaseline?: LintReport[];
  /** The newest commit the task made on its branch; absent until it changed this repository. */
  head?: string;
}

/** A repository the model's tools may name: the library first, then each consumer. */
export interface RepoTarget {
  name: string;
  dir: string;
  /** Its worktree's workspace id: the task's for the library (its kept refs are named by it). */
  workspaceId: string;
  role: TaskRepo['role'];
}

/**
 * Short, unique names for the task's repositories, library first: the last segment of each
 * repository (without `.git`), made unique by its place in the task when two share one. Only
 * letters, digits, `.`, `_` and `-`: a name is part of a step key and of what the model types.
 */
export function repoNames(repos: readonly TaskRepo[]): string[] {
  const bases = repos.map((r) => {
    const last = r.repo_normalized.replace(/\/+$/, '').split(/[/:]/).pop() ?? '';
    const cleaned = last
      .replace(/\.git$/, '')
      .replace(/[^A-Za-z0-9._-]+/g, '-')
      .slice(0, 40);
    return cleaned === '' || cleaned.startsWith('.') ? 'repo' : cleaned;
  });
  return bases.map((base, index) =>
    bases.indexOf(base) === index && bases.lastIndexOf(base) === index ? base : `${base}-${index + 1}`,
  );
}

/** The workspace id of the task's repository at `index` (> 0, a consumer): never the task's own. */
export function consumerWorkspaceId(taskId: string, index: number): string {
  return `${taskId}.repo-${index}`;
}

/** The task a workspace id belongs to: the id itself, or the task of a consumer's worktree. */
export function owningTaskId(workspaceId: string): string {
  return workspaceId.replace(/\.repo-[0-9]+$/, '');
}
