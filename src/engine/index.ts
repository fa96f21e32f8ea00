import type { AutodevConfig } from '../config/schema.js';
import type { EngineKind } from '../config/engine-schema.js';
import type { Logger } from '../logging/logger.js';
import type { Store } from '../store/index.js';
import { createEmbeddedEngine } from './embedded.js';
import type { LocalRuns, TaskRunHooks } from './task-run.js';
import type { Engine } from './types.js';

export type { Engine } from './types.js';
export { createLocalRuns, type LocalRuns, type TaskRunHooks } from './task-run.js';

export interface EngineDeps {
  config: AutodevConfig;
  store: Store;
  log: Logger;
  hooks: TaskRunHooks;
  runs: LocalRuns;
  leaseMs: number;
  pollMs: number;
}

/**
 * The engines by `[autodev.engine] kind`. The temporal engine is imported only when chosen: its SDK
 * holds ~50 MiB that `npm start` (embedded) must not pay.
 */
const ENGINES: Record<EngineKind, (deps: EngineDeps) => Promise<Engine>> = {
  embedded: async (deps) =>
    createEmbeddedEngine({
      store: deps.store,
      log: deps.log,
      hooks: deps.hooks,
      maxParallel: deps.config.max_parallel_tasks,
      taskTimeoutMs: deps.config.task_timeout_secs * 1000,
      leaseMs: deps.leaseMs,
      pollMs: deps.pollMs,
    }),
  temporal: async (deps) => {
    const { createTemporalEngine } = await import('./temporal.js');
    return createTemporalEngine({ config: deps.config, store: deps.store, log: deps.log, runs: deps.runs });
  },
};

export function createEngine(deps: EngineDeps): Promise<Engine> {
  return ENGINES[deps.config.engine.kind](deps);
}
