import { z } from 'zod';
import { RISK_TIERS } from '../config/schema.js';
import { MAX_TASK_REPOS, TASK_REPO_ROLES, type Plan } from '../domain/task.js';
import { defaultPlan, revertPlan, updatePlan } from '../planner/default-plan.js';
import { planWithModel } from '../planner/model-plan.js';
import { defineTool } from './define.js';
import { registerTool } from './register.js';
import { taskModel } from './task-model.js';

/**
 * Makes the plan of a task: the model's when planning is on (`[autodev.llm] planning`), else the default
 * plan. As a step it is checkpointed, so a restarted task reuses the plan and pays for no second call.
 */
export const planTool = registerTool(
  defineTool({
    name: 'plan',
    description:
      'Make the execution plan of a task: steps with their files and checks, within the phase table.',
    inputSchema: z.object({
      title: z.string().min(1),
      description: z.string().default(''),
      constraints: z.array(z.string()).default([]),
      acceptance: z.array(z.string()).default([]),
      risk_tier: z.enum(RISK_TIERS),
      /**
       * A multi-repo task's repositories, library first, by the names the model's tools know them.
       * Absent for one repository: its input, and so its checkpoint and recorded plans, are as before.
       */
      repos: z
        .array(
          z.object({
            name: z.string().min(1).max(100),
            role: z.enum(TASK_REPO_ROLES),
            repo: z.string().min(1),
            base_branch: z.string().min(1),
          }),
        )
        .min(2)
        .max(MAX_TASK_REPOS)
        .optional(),
    }),
    invoke: async (input, ctx): Promise<Plan> => {
      const { config, store } = ctx.services;
      // A replay re-runs the recorded task with its recorded plan (`autodev task replay` copies it
      // onto the replayed task): the planning call was not a turn of the conversation being replayed.
      if (config.llm.provider === 'replay') {
        const recorded = ctx.taskId ? (await store?.tasks.get(ctx.taskId))?.plan : undefined;
        return recorded ?? defaultPlan(input, config.max_step_retries, 'a replay makes no planning call');
      }
      // A revert is `git revert` of a recorded merge: there is nothing for a model to plan or pay for.
      const task = ctx.taskId ? await store?.tasks.get(ctx.taskId) : undefined;
      if (task?.reverts_task_id) return revertPlan(input, task.reverts_task_id);
      // A dependency update is mechanical too; the model is called only to repair what it breaks.
      const update = ctx.taskId ? await store?.dependencyUpdates.byTask(ctx.taskId) : undefined;
      if (update) return updatePlan(input, update.repair, config.max_step_retries);
      if (!planningEnabled(config.llm.planning, config.secrets.llmApiKey)) {
        return defaultPlan(input, config.max_step_retries, 'planning is off ([autodev.llm] planning)');
      }
      return planWithModel(input, {
        // Priced and budgeted like every call of the task: planning is part of what it spent.
        model: taskModel(ctx),
        signal: ctx.signal,
        maxRepairRounds: config.max_step_retries,
        maxTokens: config.llm.max_tokens,
        temperature: config.llm.temperature,
        onModelCall: ctx.onModelCall,
      });
    },
    // The work items are what the model planned; the steps are the tool calls the phase table runs for them.
    summarize: (plan) => {
      const work = plan.phases?.find((phase) => phase.id === 'implement')?.work_steps?.length ?? 0;
      const items = plan.source === 'model' ? `${work} work item(s), ` : '';
      return `${plan.source} plan: ${items}${plan.steps.length} tool steps${plan.fallback_reason ? ` (${plan.fallback_reason})` : ''}`;
    },
  }),
);

/** Unset, planning follows the model: on when its key is configured, off when no model can be called. */
export function planningEnabled(setting: boolean | undefined, apiKey: string | undefined): boolean {
  return setting ?? apiKey !== undefined;
}
