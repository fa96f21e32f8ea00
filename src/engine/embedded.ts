import type { Store } from '../store/index.js';
import type { Logger } from '../logging/logger.js';
import { createScheduler } from '../orchestrator/scheduler.js';
import type { TaskRunHooks } from './task-run.js';
import type { Engine } from './types.js';

export interface EmbeddedEngineOptions {
  store: Store;
  log: Logger;
  hooks: TaskRunHooks;
  maxParallel: number;
  taskTimeoutMs: number;
  /** A lease not renewed for this long marks its owner dead and the task claimable again. */
  leaseMs: number;
  pollMs: number;
}

/**
 * The default engine: this process claims tasks from the store under a lease (src/orchestrator/
 * scheduler.ts), as autodev always has. Several processes sharing one store each run one.
 */
export function createEmbeddedEngine(options: EmbeddedEngineOptions): Engine {
  const { store, leaseMs } = options;
  const scheduler = createScheduler({
    maxParallel: options.maxParallel,
    leaseMs,
    pollMs: options.pollMs,
    taskTimeoutMs: options.taskTimeoutMs,
    log: options.log,
    claim: (owner, excludeIds) => store.tasks.claimNext({ owner, leaseMs, excludeIds }),
    renewLease: (id, owner) => store.tasks.renewLease(id, owner, leaseMs),
    releaseLease: (id, owner) => store.tasks.releaseLease(id, owner),
    isCancelRequested: async (id) => (await store.tasks.get(id))?.cancel_requested ?? false,
    createContext: (task, signals) => options.hooks.createContext(task, signals),
    onTaskDone: (task, status) => options.hooks.onTaskDone(task, status),
  });
  return {
    kind: 'embedded',
    start: () => {
      scheduler.start();
      return Promise.resolve();
    },
    // The scheduler claims whatever is runnable: which task woke it does not matter.
    poke: () => scheduler.poke(),
    cancel: (taskId) => scheduler.cancel(taskId),
    runningIds: () => scheduler.runningIds(),
    settled: (taskId) => scheduler.settled(taskId),
    stop: (graceMs) => scheduler.stop(graceMs),
  };
}
