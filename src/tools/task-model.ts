import { ZERO_COST } from '../llm/cost.js';
import { createMeteredModel } from '../llm/metered-model.js';
import type { PricedModelClient } from '../llm/types.js';
import type { ToolContext } from './types.js';

/**
 * The model as a task's tools call it: every call priced into the task's cost and held to its budget
 * ([autodev.llm] max_task_tokens, max_task_usd), whichever tool makes it (planning as much as codegen).
 * Outside a task (`autodev tools run`) there is no task to charge: the plain client.
 */
export function taskModel(ctx: ToolContext): PricedModelClient {
  const { store, config } = ctx.services;
  const taskId = ctx.taskId;
  if (!store || !taskId) return ctx.services.model();
  return createMeteredModel(ctx.services.model(), {
    settings: config.llm,
    spent: async () => (await store.tasks.get(taskId))?.cost ?? ZERO_COST,
    record: (cost) => store.tasks.addCost(taskId, cost),
  });
}
