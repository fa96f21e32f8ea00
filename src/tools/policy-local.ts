import { z } from 'zod';
import { RISK_TIERS } from '../config/schema.js';
import { createLocalPolicy } from '../policy/local.js';
import { defineTool } from './define.js';
import { registerTool } from './register.js';

const policy = createLocalPolicy();

export const policyLocalTool = registerTool(
  defineTool({
    name: 'policy_local',
    description: 'Decide with the local rules whether the change may merge itself, and why not.',
    inputSchema: z.object({
      risk_tier: z.enum(RISK_TIERS),
      tests_passed: z.boolean(),
      clippy_warnings: z.number().int().min(0).default(0),
      secrets_found: z.boolean().default(false),
      lint_unavailable: z.array(z.string()).default([]),
      files_changed: z.array(z.string()).default([]),
      new_dependencies: z.array(z.string()).default([]),
      autodev_config_changed: z.array(z.string()).default([]),
      test_changes: z.array(z.string()).default([]),
      baseline_failures_missing: z.array(z.string()).default([]),
      tests_unavailable: z.string().min(1).optional(),
    }),
    invoke: (input, ctx) => policy.evaluate(input, ctx.signal),
    summarize: (d) => (d.allow ? `allow (${d.engine})` : `deny (${d.engine}): ${d.deny.join('; ')}`),
  }),
);
