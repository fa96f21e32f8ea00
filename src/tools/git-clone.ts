import { z } from 'zod';
import { defineTool } from './define.js';
import { registerTool } from './register.js';

export const gitCloneTool = registerTool(
  defineTool({
    name: 'git_clone',
    description:
      'Fetch the repository into its mirror and give the task its own worktree on a new branch from base_branch.',
    inputSchema: z.object({
      repo: z.string().min(1),
      base_branch: z.string().min(1),
      branch: z.string().min(1),
      task_id: z.string().min(1),
    }),
    async invoke(input, ctx) {
      const workspace = await ctx.services.workspaces.prepare({
        taskId: input.task_id,
        repo: input.repo,
        baseBranch: input.base_branch,
        branch: input.branch,
        signal: ctx.signal,
      });
      return { dir: workspace.dir, branch: workspace.branch, base_commit: workspace.baseCommit };
    },
    summarize: (out) => `worktree on ${out.branch} at ${out.base_commit.slice(0, 12)}`,
  }),
);
