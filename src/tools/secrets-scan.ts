import { z } from 'zod';
import { defineTool } from './define.js';
import { registerTool } from './register.js';

/** The seed's secrets_scan: the task's commits, before anything is pushed. */
export const secretsScanTool = registerTool(
  defineTool({
    name: 'secrets_scan',
    description:
      "Scan the task's commits (base_commit..HEAD) for secrets and credentials with gitleaks; the secrets themselves are never returned.",
    inputSchema: z.object({ base_commit: z.string().regex(/^[0-9a-f]{7,64}$/, 'expected a commit id') }),
    async invoke(input, ctx) {
      const findings = await ctx.services.secrets.scanCommits(
        ctx.workspaceDir,
        input.base_commit,
        ctx.signal,
      );
      return { secrets_found: findings.length > 0, findings };
    },
    summarize: (out) =>
      out.secrets_found
        ? `${out.findings.length} secret(s): ${out.findings.map((f) => `${f.rule} in ${f.file}:${f.line}`).join(', ')}`
        : 'no secrets',
  }),
);
