import { createPolicyEngine } from '../policy/index.js';
import { policyInputSchema } from '../policy/input-schema.js';
import type { PolicyDecision } from '../policy/types.js';
import { defineTool } from './define.js';
import { registerTool } from './register.js';

export function summarizeDecision(d: PolicyDecision): string {
  const how = d.fallback ? `${d.engine}, fallback: ${d.reason ?? 'OPA could not decide'}` : d.engine;
  return d.allow ? `allow (${how})` : `deny (${how}): ${d.deny.map((r) => r.code).join(', ')}`;
}

/** The seed's `policy` tool: the configured engine (OPA with the local rules as fallback, or local). */
export const policyTool = registerTool(
  defineTool({
    name: 'policy',
    description:
      'Decide whether the change may merge itself, and why not: OPA when opa_url is set (the local rules when it cannot answer), else the local rules.',
    inputSchema: policyInputSchema,
    invoke: (input, ctx) => createPolicyEngine(ctx.services.config).evaluate(input, ctx.signal),
    summarize: summarizeDecision,
  }),
);
