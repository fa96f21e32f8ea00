import { Counter, Histogram, Registry, collectDefaultMetrics } from 'prom-client';
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
  /** Dependency updates by outcome: proposed (a task made), skipped (why), open (found open already). */
  dependencyUpdatesTotal: Counter<'ecosystem' | 'type' | 'outcome'>;
}

export function createMetrics(options: { defaultMetrics?: boolean } = {}): AutodevMetrics {
  const registry = new Registry();
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
      buckets: [10, 30, 60, 120, 300, 600, 1200, 3600, 7200],
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
      buckets: [0.05, 0.1, 0.5, 1, 5, 15, 60, 300, 1200],
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
      help: 'Dependency updates found by scans, by ecosystem, update type and outcome (proposed, open, too_young, ignored, not_allowed, deprecated, held).',
      labelNames: ['ecosystem', 'type', 'outcome'],
      registers,
    }),
    modelCostUsdTotal: new Counter({
      name: 'autodev_model_cost_usd_total',
      help: 'List-price US dollars of model calls (src/llm/prices.ts, overridable per model in config).',
      registers,
    }),
  };
  // Labelled series are created at zero so every metric of the seed is present from start-up.
  metrics.stepsTotal.inc({ status: 'success' }, 0);
  metrics.stepsTotal.inc({ status: 'error' }, 0);
  metrics.modelTokensTotal.inc({ direction: 'input' }, 0);
  metrics.modelTokensTotal.inc({ direction: 'output' }, 0);
  metrics.modelTokensTotal.inc({ direction: 'cached_input' }, 0);
  for (const reason of DENY_CODES) metrics.policyDenialsTotal.inc({ reason }, 0);
  return metrics;
}
