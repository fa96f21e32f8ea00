import type { LlmSettings } from '../config/schema.js';
import type { TaskCost } from '../domain/task.js';
import { AutodevError } from '../errors.js';
import { costOf, describeCost } from './cost.js';
import { priceOf } from './prices.js';
import type { ModelClient, ModelRequest, ModelResponse } from './types.js';

export interface MeteredModelOptions {
  settings: LlmSettings;
  /** The task's spend so far (the task row's cost). */
  spent(): Promise<TaskCost>;
  /** Adds one call's cost to the task's total and returns the new total. */
  record(cost: TaskCost): Promise<TaskCost>;
}

/** A response with what the call cost, as the meter priced it. */
export interface MeteredResponse extends ModelResponse {
  cost: TaskCost;
}

export interface MeteredModel extends ModelClient {
  generate(request: ModelRequest, signal?: AbortSignal): Promise<MeteredResponse>;
}

/**
 * A model client that prices each call (llm/prices.ts) into the task's running cost and holds the
 * task to its budget ([autodev.llm] max_task_tokens, max_task_usd): checked before each call, so no
 * call starts over budget, and after it, so a task overshoots by at most the one call that crossed
 * the line. Either ends the task with BUDGET_EXCEEDED, naming what it spent.
 */
export function createMeteredModel(model: ModelClient, options: MeteredModelOptions): MeteredModel {
  const { settings } = options;
  if (settings.max_task_usd !== undefined && priceOf(settings, settings.model) === undefined) {
    throw new AutodevError(
      'CONFIG_INVALID',
      `[autodev.llm] max_task_usd is set but model "${settings.model}" has no price: add [autodev.llm.prices."${settings.model}"] with input_per_mtok and output_per_mtok`,
    );
  }
  return {
    provider: model.provider,
    modelId: model.modelId,
    async generate(request, signal) {
      checkBudget(settings, await options.spent(), 'before the next model call');
      const response = await model.generate(request, signal);
      // The configured model's price when the reply names a dated snapshot the table lacks.
      const price = priceOf(settings, response.model) ?? priceOf(settings, settings.model);
      const cost = costOf(response.usage, price);
      const total = await options.record(cost);
      checkBudget(settings, total, 'after a model call');
      return { ...response, cost };
    },
  };
}

function checkBudget(settings: LlmSettings, spent: TaskCost, when: string): void {
  const tokens = spent.input_tokens + spent.output_tokens;
  const overTokens = settings.max_task_tokens !== undefined && tokens >= settings.max_task_tokens;
  const overUsd = settings.max_task_usd !== undefined && spent.usd >= settings.max_task_usd;
  if (!overTokens && !overUsd) return;
  const limit = overTokens
    ? `max_task_tokens = ${settings.max_task_tokens}`
    : `max_task_usd = ${settings.max_task_usd}`;
  throw new AutodevError(
    'BUDGET_EXCEEDED',
    `the task spent its model budget ([autodev.llm] ${limit}) ${when}: spent ${describeCost(spent)}`,
    { details: { spent } },
  );
}
