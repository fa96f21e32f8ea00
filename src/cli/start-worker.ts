import type { AutodevConfig } from '../config/schema.js';
import type { TemporalWorker } from '../engine/temporal/worker.js';
import type { Runtime } from '../runtime/create-runtime.js';

/**
 * Starts a Temporal worker over this process's runtime (`autodev worker`, `serve --with-worker`).
 * The SDK is imported here, on use: every CLI command loads the command files, few run a worker, and
 * `npm start` (embedded) must not pay for it.
 */
export async function startWorkerFor(config: AutodevConfig, runtime: Runtime): Promise<TemporalWorker> {
  const { startTemporalWorker } = await import('../engine/temporal/worker.js');
  return startTemporalWorker({
    config,
    store: runtime.store,
    log: runtime.log,
    hooks: runtime.runHooks,
    runs: runtime.runs,
  });
}
