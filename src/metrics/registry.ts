import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';
import { DENY_CODES } from '../policy/types.js';

/** The seed's metrics, by their names; one registry per server instance (no global state). */
export interface AutodevMetrics {
  registry: Registry;
  tasksTotal: Counter;
  tasksSuccessTotal: Counter;
  tasksFailedTotal: Counter;
  taskDurationSeconds: Histogram;
  stepsTotal: Counter<'status'>;
  stepDurationSeconds: Histogram<'tool'>;
  prsOpenedTotal: Counter;
  mergesTotal: Counter;
  revertsTotal: Counter;
  policyDenialsTotal: Counter<'reason'>;
  modelTokensTotal: Counter<'direction'>;
  modelCostUsdTotal: Counter;
  /** Failed model calls by error code (MODEL_CALL_FAILED, MODEL_TIMEOUT, ...), each failed attempt. */
  modelErrorsTotal: Counter<'code'>;
  queueDepth: Gauge;
  tasksRunning: Gauge;
  /** Where the two gauges read their values at each scrape (set once the store and scheduler exist). */
  observeQueue(source: QueueSource): void;
  /** Dependency updates by outcome: proposed (a task made), skipped (why), open (found open already). */
  dependencyUpdatesTotal: Counter<'ecosystem' | 'type' | 'outcome'>;
}

export interface QueueSource {
  /** Tasks queued, waiting for a worker (the store's count: every process's queue). */
  queueDepth(): Promise<number>;
  /** Tasks this process runs now. */
  running(): number;
}

/** The model error codes a failed call ends with (src/llm/map-api-error.ts): their series exist from start-up. */
export const MODEL_ERROR_CODES = [
  'MODEL_CALL_FAILED',
  'MODEL_TIMEOUT',
  'MODEL_REQUEST_REJECTED',
  'MODEL_RESPONSE_INVALID',
  'MODEL_REPLY_TOO_LARGE',
] as const;

export function createMetrics(options: { defaultMetrics?: boolean } = {}): AutodevMetrics {
  const registry = new Registry();
  let queueSource: QueueSource | undefined;
  if (options.defaultMetrics ?? true)
    collectDefaultMetrics({ register: registry, prefix: 'autodev_process_' });
  const registers = [registry];
  const metrics: AutodevMetrics = {
    registry,
    tasksTotal: new Counter({ name: 'autodev_tasks_total', help: 'Tasks submitted.', registers }),
    tasksSuccessTotal: new Counter({
      name: 'autodev_tasks_success_total',
      help: 'Tasks that delivered, counted once: merged, or awaiting review with their checks passed.',
      registers,
    }),
    tasksFailedTotal: new Counter({
      name: 'autodev_tasks_failed_total',
      help: 'Tasks that ended failed.',
      registers,
    }),
    taskDurationSeconds: new Histogram({
      name: 'autodev_task_duration_seconds',
      help: 'Time from a task starting to its terminal state.',
      // Tasks take about a minute to a few: fine buckets there, coarse beyond (a long review wait).
      buckets: [5, 10, 20, 30, 45, 60, 90, 120, 180, 300, 600, 1200, 3600, 7200],
      registers,
    }),
    stepsTotal: new Counter({
      name: 'autodev_steps_total',
      help: 'Steps run, by outcome.',
      labelNames: ['status'],
      registers,
    }),
    stepDurationSeconds: new Histogram({
      name: 'autodev_step_duration_seconds',
      help: 'Step duration by tool.',
      labelNames: ['tool'],
      buckets: [0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 20, 30, 60, 120, 300, 1200],
      registers,
    }),
    prsOpenedTotal: new Counter({
      name: 'autodev_prs_opened_total',
      help: 'Pull requests opened.',
      registers,
    }),
    mergesTotal: new Counter({
      name: 'autodev_merges_total',
      help: 'Pull requests merged by autodev.',
      registers,
    }),
    revertsTotal: new Counter({
      name: 'autodev_reverts_total',
      help: 'Reverts that merged (a revert requested but not merged is not counted).',
      registers,
    }),
    policyDenialsTotal: new Counter({
      name: 'autodev_policy_denials_total',
      // The label is the denial's code, never its message: a bounded set of series.
      help: 'Policy denials by reason code (TESTS_FAILED, SECRETS_FOUND, POLICY_FALLBACK, ...).',
      labelNames: ['reason'],
      registers,
    }),
    modelTokensTotal: new Counter({
      name: 'autodev_model_tokens_total',
      help: 'Model tokens used, by direction (input, output, or cached_input: the part of input read from the prompt cache).',
      labelNames: ['direction'],
      registers,
    }),
    dependencyUpdatesTotal: new Counter({
      name: 'autodev_dependency_updates_total',
      help: 'Dependency updates found by scans, by ecosystem, update type and outcome (proposed, open, too_young, ignored, not_allowed, deprecated, yanked, held).',
      labelNames: ['ecosystem', 'type', 'outcome'],
      registers,
    }),
    modelCostUsdTotal: new Counter({
      name: 'autodev_model_cost_usd_total',
      help: 'List-price US dollars of model calls (src/llm/prices.ts, overridable per model in config).',
      registers,
    }),
    modelErrorsTotal: new Counter({
      name: 'autodev_model_errors_total',
      help: 'Model calls that failed, by error code (each failed attempt of a step).',
      labelNames: ['code'],
      registers,
    }),
    queueDepth: new Gauge({
      name: 'autodev_queue_depth',
      help: 'Tasks queued, waiting for a worker.',
      registers,
      async collect() {
        if (queueSource) this.set(await queueSource.queueDepth());
      },
    }),
    tasksRunning: new Gauge({
      name: 'autodev_tasks_running',
      help: 'Tasks this process runs now.',
      registers,
      collect() {
        if (queueSource) this.set(queueSource.running());
      },
    }),
    observeQueue(source) {
      queueSource = source;
    },
  };
  // Labelled series are created at zero so every metric of the seed is present from start-up.
  metrics.stepsTotal.inc({ status: 'success' }, 0);
  metrics.stepsTotal.inc({ status: 'error' }, 0);
  metrics.modelTokensTotal.inc({ direction: 'input' }, 0);
  metrics.modelTokensTotal.inc({ direction: 'output' }, 0);
  metrics.modelTokensTotal.inc({ direction: 'cached_input' }, 0);
  for (const reason of DENY_CODES) metrics.policyDenialsTotal.inc({ reason }, 0);
  for (const code of MODEL_ERROR_CODES) metrics.modelErrorsTotal.inc({ code }, 0);
  return metrics;
}
