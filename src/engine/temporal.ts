import { Client, WorkflowNotFoundError, type Connection } from '@temporalio/client';
import type { AutodevConfig } from '../config/schema.js';
import type { Logger } from '../logging/logger.js';
import type { Store } from '../store/index.js';
import { connectClient } from './temporal/connection.js';
import { taskWorkflowInput } from './temporal/workflow-input.js';
import { TASK_WORKFLOW, WAKE_SIGNAL } from './temporal/workflow-types.js';
import type { LocalRuns } from './task-run.js';
import type { Engine } from './types.js';

export interface TemporalEngineOptions {
  config: AutodevConfig;
  store: Store;
  log: Logger;
  /** Runs of this process (a `serve --with-worker`); empty in an API-only process. */
  runs: LocalRuns;
}

export interface TemporalEngine extends Engine {
  /** The client connection, once started (the in-process worker shares nothing else with it). */
  readonly connection: Connection | undefined;
}

/**
 * Tasks as Temporal workflows (src/engine/temporal/workflow.ts), id = task id, run by `autodev worker`
 * processes. This side is the API's: it starts or wakes a task's workflow and cancels it; it runs nothing.
 */
export function createTemporalEngine(options: TemporalEngineOptions): TemporalEngine {
  const { config, log } = options;
  const settings = config.engine;
  let connection: Connection | undefined;
  let client: Client | undefined;
  let stopped = false;
  const pending = new Set<Promise<unknown>>();

  const track = (work: Promise<unknown>) => {
    pending.add(work);
    void work.finally(() => pending.delete(work));
  };

  /**
   * Starts the task's workflow, or signals the one that runs: one workflow per task however often it
   * is called (signal-with-start on the workflow id = task id).
   */
  const wake = async (taskId: string) => {
    if (!client) return;
    await client.workflow.signalWithStart(TASK_WORKFLOW, {
      workflowId: taskId,
      taskQueue: settings.task_queue,
      args: [taskWorkflowInput(config, taskId)],
      signal: WAKE_SIGNAL,
      signalArgs: [],
    });
  };

  const wakeLogged = (taskId: string) =>
    track(
      wake(taskId).catch((err: unknown) =>
        log.warn({ taskId, err, address: settings.address }, 'could not start or wake the task workflow'),
      ),
    );

  /** Every task not ended: a start interrupted between the store and Temporal is made good here. */
  const wakeUnfinished = async () => {
    for (const taskId of await options.store.tasks.listUnfinishedIds()) await wake(taskId);
  };

  return {
    kind: 'temporal',
    get connection() {
      return connection;
    },
    async start() {
      connection = await connectClient(settings);
      client = new Client({ connection, namespace: settings.namespace });
      await wakeUnfinished();
    },
    poke(taskId) {
      if (stopped) return;
      if (taskId !== undefined) wakeLogged(taskId);
      else
        track(
          wakeUnfinished().catch((err: unknown) =>
            log.warn({ err, address: settings.address }, 'could not wake the unfinished tasks'),
          ),
        );
    },
    cancel(taskId) {
      if (!client) return false;
      const handle = client.workflow.getHandle(taskId);
      track(
        handle.cancel().catch((err: unknown) => {
          // No workflow (never started, or ended): the cancel flag in the store is all there is to do.
          if (!(err instanceof WorkflowNotFoundError))
            log.warn({ taskId, err }, 'could not cancel the workflow');
        }),
      );
      return true;
    },
    runningIds: () => options.runs.ids(),
    settled: (taskId) => options.runs.settled(taskId),
    async stop() {
      stopped = true;
      await Promise.allSettled([...pending]);
      await connection?.close();
    },
  };
}
