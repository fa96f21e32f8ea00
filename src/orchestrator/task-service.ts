import { AutodevError } from '../errors.js';
import { isTerminal, type Task, type TaskInput } from '../domain/task.js';
import type { RepoAllowlist } from '../governance/allowlist.js';
import type { Forge } from '../forges/types.js';
import type { AutodevMetrics } from '../metrics/registry.js';
import type { Store } from '../store/index.js';
import type { NewDependencyUpdate } from '../store/task-repository.js';
import { revertBranchName } from './revert-task.js';
import { resolveTaskRepos } from './task-repos.js';
import type { Engine } from '../engine/types.js';

export interface TaskServiceDeps {
  enabled: boolean;
  store: Store;
  metrics: AutodevMetrics;
  allowlist: RepoAllowlist;
  engine: Engine;
  /** The configured forge: a repo it does not host is refused at submission (REPO_NOT_ON_FORGE). */
  forge: Pick<Forge, 'locate' | 'id'>;
}

export interface TaskService {
  /** Kill switch, repo refusal, forge and allowlist first; then the task is stored queued and the engine woken. */
  submit(input: TaskInput, extra?: { dependency_update?: NewDependencyUpdate }): Promise<Task>;
  /**
   * Queued tasks end at once; running ones are aborted (here or, through the store, in another worker).
   * TASK_NOT_CANCELLABLE when the task has ended or its merge has begun.
   */
  cancel(id: string): Promise<Task>;
  /**
   * A revert task for a merged task's merge: queued once, found again on every later call (`created`
   * false). TASK_NOT_FOUND, or TASK_NOT_REVERTIBLE unless the task is merged.
   */
  revert(id: string): Promise<{ task: Task; created: boolean }>;
}

export function createTaskService(deps: TaskServiceDeps): TaskService {
  return {
    async submit(input, extra) {
      if (!deps.enabled) {
        throw new AutodevError(
          'AUTODEV_DISABLED',
          'autodev is disabled (AUTODEV_ENABLED=false or enabled = false): no task is accepted',
        );
      }
      // Each repository is refused now rather than at the push, after the model has been paid: the
      // forge names the repo and itself in the error. A local repo is checked by its real path too;
      // the check runs again before every fetch and push.
      const repos = await resolveTaskRepos(input, deps.forge, deps.allowlist);
      const library = repos[0];
      if (!library) throw new AutodevError('VALIDATION_FAILED', 'repos: expected at least one repository');
      const task = await deps.store.tasks.create({
        ...input,
        repo: library.repo,
        repo_normalized: library.repo_normalized,
        base_branch: library.base_branch,
        repos,
        ...(extra?.dependency_update ? { dependency_update: extra.dependency_update } : {}),
      });
      await deps.store.events.append(task.id, 'task.created', {
        repo: task.repo_normalized,
        base_branch: task.base_branch,
        risk_tier: task.risk_tier,
        ...(repos.length > 1
          ? {
              repos: repos.map((r) => ({
                repo: r.repo_normalized,
                base_branch: r.base_branch,
                role: r.role,
              })),
            }
          : {}),
      });
      deps.metrics.tasksTotal.inc();
      deps.engine.poke(task.id);
      return task;
    },

    async revert(id) {
      const original = await deps.store.tasks.get(id);
      if (!original) throw new AutodevError('TASK_NOT_FOUND', `no task with id ${id}`);
      const existing = await deps.store.tasks.findRevertOf(id);
      if (existing) return { task: existing, created: false };
      if (original.status !== 'merged') {
        throw new AutodevError(
          'TASK_NOT_REVERTIBLE',
          `task ${id} is ${original.status}: only a merged task has a merge to revert`,
          { details: { status: original.status } },
        );
      }
      let task: Task;
      try {
        task = await deps.store.tasks.create(revertTaskInput(original));
      } catch (error) {
        // Another request made it first (unique reverts_task_id): that one is the revert.
        const raced = await deps.store.tasks.findRevertOf(id);
        if (raced) return { task: raced, created: false };
        throw error;
      }
      await deps.store.events.append(task.id, 'task.created', {
        repo: task.repo_normalized,
        base_branch: task.base_branch,
        risk_tier: task.risk_tier,
        reverts_task_id: id,
      });
      await deps.store.events.append(id, 'task.revert_requested', { revert_task_id: task.id });
      deps.metrics.tasksTotal.inc();
      deps.engine.poke(task.id);
      return { task, created: true };
    },

    async cancel(id) {
      const task = await deps.store.tasks.get(id);
      if (!task) throw new AutodevError('TASK_NOT_FOUND', `no task with id ${id}`);
      if (isTerminal(task.status)) {
        throw new AutodevError('TASK_NOT_CANCELLABLE', `task ${id} is already ${task.status}`, {
          details: { status: task.status },
        });
      }
      if (!(await deps.store.tasks.requestCancel(id))) {
        // A merge that may have reached the remote cannot be undone: saying "cancelled" would be a lie.
        throw new AutodevError(
          'TASK_NOT_CANCELLABLE',
          `task ${id} is merging its pull request: a merge already in progress (or done) cannot be cancelled`,
          { details: { status: task.status, merge_started: true } },
        );
      }
      await deps.store.events.append(id, 'task.cancel_requested', {});
      const error = { code: 'TASK_CANCELLED', message: 'task cancelled before it started' };
      if (task.status === 'queued' && (await deps.store.tasks.cancelIfUnclaimed(id, error))) {
        await deps.store.events.append(id, 'task.status_changed', { from: 'queued', to: 'cancelled', error });
      }
      // Running here: abort now. Running in another worker: its heartbeat sees the request. Queued,
      // the engine lets go of it too (a temporal workflow waiting for a worker ends at once).
      deps.engine.cancel(id);
      return (await deps.store.tasks.get(id)) ?? task;
    },
  };
}

/** The revert keeps the original's repo, base and tier: a low-risk revert may merge when policy allows. */
function revertTaskInput(
  original: Task,
): Omit<TaskInput, 'repos'> & { repo_normalized: string; reverts_task_id: string; branch: string } {
  return {
    title: `Revert "${original.title}"`,
    description: `Reverts the merge of autodev task ${original.id} ("${original.title}").`,
    repo: original.repo,
    repo_normalized: original.repo_normalized,
    base_branch: original.base_branch,
    risk_tier: original.risk_tier,
    constraints: [],
    acceptance: [],
    reverts_task_id: original.id,
    branch: revertBranchName(original.id),
  };
}
