import { z } from 'zod';
import { RISK_TIERS } from '../config/schema.js';
import type { Plan } from '../domain/task.js';
import { defaultPlan } from '../planner/default-plan.js';
import { defineTool } from './define.js';
import { registerTool } from './register.js';

export const planTool = registerTool(
  defineTool({
    name: 'plan',
    description: 'Make the execution plan of a task (the default plan; a model planner comes later).',
    inputSchema: z.object({ title: z.string().min(1), risk_tier: z.enum(RISK_TIERS) }),
    invoke: (input, ctx): Promise<Plan> =>
      Promise.resolve(defaultPlan(input, ctx.services.config.max_step_retries)),
    summarize: (plan) => `${plan.source} plan, ${plan.steps.length} steps`,
  }),
);
