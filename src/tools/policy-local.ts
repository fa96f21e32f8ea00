import { createLocalPolicy } from '../policy/local.js';
import { policyInputSchema } from '../policy/input-schema.js';
import { summarizeDecision } from './policy.js';
import { defineTool } from './define.js';
import { registerTool } from './register.js';

const policy = createLocalPolicy();

export const policyLocalTool = registerTool(
  defineTool({
    name: 'policy_local',
    description: 'Decide with the local rules whether the change may merge itself, and why not.',
    inputSchema: policyInputSchema,
    invoke: (input, ctx) => policy.evaluate(input, ctx.signal),
    summarize: summarizeDecision,
  }),
);
