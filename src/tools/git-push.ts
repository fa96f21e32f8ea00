import { z } from 'zod';
import { defineTool } from './define.js';
import { registerTool } from './register.js';

/** Pushes the task branch; pushing again when the remote already has the commit sends nothing. */
export const gitPushTool = registerTool(
  defineTool({
    name: 'git_push',
    description: "Push the workspace's HEAD to the task branch on the repository.",
    inputSchema: z.object({ repo: z.string().min(1), branch: z.string().min(1) }),
    async invoke(input, ctx) {
      const { git, config } = ctx.services;
      const result = await git.push(ctx.workspaceDir, input.repo, input.branch, {
        token: config.secrets.forgeToken,
      });
      return { branch: input.branch, commit: result.remoteCommit, pushed: result.pushed };
    },
    summarize: (out) =>
      out.pushed
        ? `pushed ${out.branch} at ${out.commit.slice(0, 12)}`
        : `${out.branch} already at ${out.commit.slice(0, 12)}`,
  }),
);
