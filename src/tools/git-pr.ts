import { z } from 'zod';
import { defineTool } from './define.js';
import { registerTool } from './register.js';

export const gitPrTool = registerTool(
  defineTool({
    name: 'git_pr',
    description:
      'Open (or find the already open) pull request of the task branch against the base branch on the forge.',
    inputSchema: z.object({
      task_id: z.string().min(1),
      repo: z.string().min(1),
      branch: z.string().min(1),
      base_branch: z.string().min(1),
      title: z.string().min(1),
      body: z.string(),
      head_commit: z.string().min(7),
      labels: z.array(z.string().min(1).max(50)).max(20).optional(),
      other: z
        .object({ role: z.enum(['consumer', 'revert']), ordinal: z.number().int().min(0).max(100) })
        .optional()
        .describe(
          "A multi-repo task's pull request other than its own: a consumer's or a revert of the library.",
        ),
    }),
    async invoke(input, ctx) {
      const pr = await ctx.services.forge.ensurePullRequest({
        taskId: input.task_id,
        repo: input.repo,
        branch: input.branch,
        baseBranch: input.base_branch,
        title: input.title,
        body: input.body,
        headCommit: input.head_commit,
        ...(input.labels ? { labels: input.labels } : {}),
        ...(input.other ? { other: input.other } : {}),
      });
      // Every forge's pull request is recorded once in the store, where reviews, merges and the API
      // find it; a forge that recorded it already (local) gets its own row back.
      const store = ctx.services.store;
      if (!store) return pr;
      const { status: _status, merge_commit: _merge, created_at: _c, updated_at: _u, role: _r, ...row } = pr;
      if (input.other) return store.pullRequests.insertRepoOnce({ ...row, ...input.other });
      return store.pullRequests.insertOnce(row);
    },
    summarize: (pr) => `${pr.forge} pull request ${pr.url ?? pr.number ?? pr.branch} (${pr.status})`,
  }),
);
