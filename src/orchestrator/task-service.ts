import { AutodevError } from '../errors.js';
import { isTerminal, type Task, type TaskInput } from '../domain/task.js';
import type { RepoAllowlist } from '../governance/allowlist.js';
import { resolveAllowedRepo } from '../governance/repo-access.js';
import type { Forge } from '../forges/types.js';
import type { AutodevMetrics } from '../metrics/registry.js';
import type { Store } from '../store/index.js';
import { parseRepoRef } from '../workspace/repo-ref.js';
import type { Scheduler } from './scheduler.js';

export interface TaskServiceDeps {
  enabled: boolean;
  store: Store;
  metrics: AutodevMetrics;
  allowlist: RepoAllowlist;
  scheduler: Scheduler;
  /** The configured forge: a repo it does not host is refused at submission (REPO_NOT_ON_FORGE). */
  forge: Pick<Forge, 'locate' | 'id'>;
}

export interface TaskService {
  /** Kill switch, repo refusal, forge and allowlist first; then the task is stored queued and the scheduler woken. */
  submit(input: TaskInput): Promise<Task>;
  /**
   * Queued tasks end at once; running ones are aborted (here or, through the store, in another worker).
   * TASK_NOT_CANCELLABLE when the task has ended or its merge has begun.
   */
  cancel(id: string): Promise<Task>;
}

export function createTaskService(deps: TaskServiceDeps): TaskService {
  return {
    async submit(input) {
      if (!deps.enabled) {
        throw new AutodevError(
          'AUTODEV_DISABLED',
          'autodev is disabled (AUTODEV_ENABLED=false or enabled = false): no task is accepted',
        );
      }
      const ref = parseRepoRef(input.repo);
      // Refused now rather than at the push, after the model has been paid: the forge names the repo
      // and itself in the error.
      deps.forge.locate(input.repo);
      // A local repo is checked by its real path too; the check runs again before every fetch and push.
      await resolveAllowedRepo(ref, deps.allowlist);
      const task = await deps.store.tasks.create({
        ...input,
        repo: ref.cloneUrl,
        repo_normalized: ref.normalized,
      });
      await deps.store.events.append(task.id, 'task.created', {
        repo: ref.normalized,
        base_branch: task.base_branch,
        risk_tier: task.risk_tier,
      });
      deps.metrics.tasksTotal.inc();
      deps.scheduler.poke();
      return task;
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
      } else {
        // Running here: abort now. Running in another worker: its heartbeat sees the request.
        deps.scheduler.cancel(id);
      }
      return (await deps.store.tasks.get(id)) ?? task;
    },
  };
}
