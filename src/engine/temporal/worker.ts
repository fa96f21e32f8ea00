import { randomUUID } from 'node:crypto';
import { existsSync } from 'node:fs';
import { hostname } from 'node:os';
import { fileURLToPath } from 'node:url';
import { DefaultLogger, Runtime, Worker, type LogLevel } from '@temporalio/worker';
import type { AutodevConfig } from '../../config/schema.js';
import type { Logger } from '../../logging/logger.js';
import { PHASE_TABLE } from '../../orchestrator/phase-table.js';
import type { Store } from '../../store/index.js';
import type { LocalRuns, TaskRunHooks } from '../task-run.js';
import { createTaskActivities } from './activities.js';
import { connectWorker } from './connection.js';
import {
  HEARTBEAT_INTERVAL_MS,
  HEARTBEAT_TIMEOUT_SECS,
  STEP_END_MARGIN_SECS,
  stepTimeoutSecs,
} from './workflow-input.js';

export interface TemporalWorkerDeps {
  config: AutodevConfig;
  store: Store;
  log: Logger;
  hooks: TaskRunHooks;
  runs: LocalRuns;
}

export interface TemporalWorker {
  /** Resolves when the worker stopped (after stop(), or on a fatal error, which it rejects with). */
  readonly done: Promise<void>;
  /** Drains: no new task, running steps reach a checkpoint within `graceMs`, then they are cancelled. */
  stop(graceMs: number): Promise<void>;
}

/**
 * The workflow code the worker bundles: next to this file, built (dist/engine/temporal/workflow.js)
 * or, run from source (tsx), the TypeScript itself, which Temporal's bundler compiles.
 */
export function workflowsPath(): string {
  const built = fileURLToPath(new URL('./workflow.js', import.meta.url));
  return existsSync(built) ? built : fileURLToPath(new URL('./workflow.ts', import.meta.url));
}

/** A queue only this worker polls: unique per process, so a restarted worker never inherits a dead one's. */
function workerTaskQueue(shared: string): string {
  return `${shared}-worker-${hostname()}-${process.pid}-${randomUUID().slice(0, 8)}`;
}

/** The most steps a run starts side by side: the widest row of the phase table. */
const STEPS_SIDE_BY_SIDE = Math.max(...PHASE_TABLE.map((row) => row.tools.length));

let runtimeInstalled = false;

/** Temporal's process-wide runtime: quiet, and leaving SIGTERM/SIGINT to autodev's own drain. */
function installRuntime(log: Logger): void {
  if (runtimeInstalled) return;
  runtimeInstalled = true;
  const level: LogLevel = 'WARN';
  Runtime.install({
    shutdownSignals: [],
    logger: new DefaultLogger(level, (entry) =>
      log.warn({ component: 'temporal', meta: entry.meta }, entry.message),
    ),
  });
}

/**
 * A worker: polls the task queue for workflow and activity tasks and runs task runs through the
 * same orchestrator as the embedded engine, at most max_parallel_tasks at once on this machine.
 */
export async function startTemporalWorker(deps: TemporalWorkerDeps): Promise<TemporalWorker> {
  const settings = deps.config.engine;
  installRuntime(deps.log);
  const connection = await connectWorker(settings);
  const drain = new AbortController();
  const ownTaskQueue = workerTaskQueue(settings.task_queue);
  const activities = createTaskActivities({
    store: deps.store,
    log: deps.log,
    hooks: deps.hooks,
    runs: deps.runs,
    taskTimeoutMs: deps.config.task_timeout_secs * 1000,
    heartbeatMs: HEARTBEAT_INTERVAL_MS,
    drain: drain.signal,
    ownTaskQueue,
    maxParallelTasks: deps.config.max_parallel_tasks,
    stepDeadlineMs: (stepTimeoutSecs(deps.config) - STEP_END_MARGIN_SECS) * 1000,
    // Between two steps' activities a run waits for a workflow task's round trip: three heartbeat
    // timeouts without one means its workflow went elsewhere (or the server is away that long).
    idleRunMs: HEARTBEAT_TIMEOUT_SECS * 3 * 1000,
  });
  const heartbeats = {
    // Heartbeats carry cancellation back: sent at least this often, a cancel arrives within it.
    maxHeartbeatThrottleInterval: HEARTBEAT_INTERVAL_MS,
    defaultHeartbeatThrottleInterval: HEARTBEAT_INTERVAL_MS,
  };
  // The shared queue: workflows, the claims that pick a worker, and the runs of workflows started
  // before the worker-specific queue (their history sends the run here).
  const shared = await Worker.create({
    connection,
    namespace: settings.namespace,
    taskQueue: settings.task_queue,
    workflowsPath: workflowsPath(),
    activities,
    maxConcurrentActivityTaskExecutions: deps.config.max_parallel_tasks,
    ...heartbeats,
  });
  // This worker's own queue: the runs (and their steps) of the tasks it claimed, next to their workspaces.
  const own = await Worker.create({
    connection,
    namespace: settings.namespace,
    taskQueue: ownTaskQueue,
    activities,
    // The claims bound the tasks (max_parallel_tasks); a task's steps that run side by side (the
    // checks) each take a slot here, and one waits for the others: fewer slots would deadlock.
    maxConcurrentActivityTaskExecutions: deps.config.max_parallel_tasks * STEPS_SIDE_BY_SIDE + 1,
    ...heartbeats,
  });
  const workers = [shared, own];
  const shutdownAll = () => {
    for (const w of workers) if (w.getState() === 'RUNNING') w.shutdown();
  };
  // One stopping (a fatal error) stops the other: the process has no half-worker.
  const done = Promise.all(workers.map((w) => w.run().finally(shutdownAll)))
    .then(() => undefined)
    .finally(() => connection.close());
  deps.log.info(
    {
      address: settings.address,
      namespace: settings.namespace,
      taskQueue: settings.task_queue,
      ownTaskQueue,
    },
    'temporal worker polling',
  );
  return {
    done,
    async stop(graceMs) {
      // First the running steps reach their checkpoint (drain), then the worker cancels what remains.
      drain.abort();
      const settled = Promise.allSettled(deps.runs.ids().map((id) => deps.runs.settled(id)));
      await Promise.race([settled, new Promise((resolve) => setTimeout(resolve, graceMs).unref())]);
      shutdownAll();
      await done.catch((err: unknown) => deps.log.warn({ err }, 'temporal worker stopped with an error'));
    },
  };
}
