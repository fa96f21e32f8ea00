import { z } from 'zod';
import { AutodevError } from '../errors.js';
import { defineTool } from './define.js';
import { registerTool } from './register.js';

export const prMergeTool = registerTool(
  defineTool({
    name: 'pr_merge',
    description: "Merge the task's pull request on the forge (only after policy allowed it).",
    inputSchema: z.object({
      task_id: z.string().min(1),
      // A multi-repo task's other pull request (a consumer's, a revert): its repository and branch.
      repo: z.string().min(1).optional(),
      branch: z.string().min(1).optional(),
    }),
    async invoke(input, ctx) {
      const store = ctx.services.store;
      if (!store) throw new AutodevError('INTERNAL', 'pr_merge needs the store');
      const key =
        input.repo !== undefined && input.branch !== undefined
          ? { taskId: input.task_id, repo: input.repo, branch: input.branch }
          : undefined;
      const pullRequest = key
        ? await store.pullRequests.getRepo(key)
        : await store.pullRequests.getByTask(input.task_id);
      if (!pullRequest) {
        const which = key ? ` in ${key.repo} on ${key.branch}` : '';
        throw new AutodevError('FORGE_FAILED', `task ${input.task_id} has no pull request${which} to merge`);
      }
      const result = await ctx.services.forge.merge({ pullRequest, workspaceDir: ctx.workspaceDir });
      // Hosted forges merge on their side only: the store's pull request says merged here, for every
      // forge (the local one has recorded it already; recording the same merge again changes nothing).
      if (result.merged && pullRequest.status !== 'merged') {
        if (key) await store.pullRequests.markRepoMerged(key, result.mergeCommit);
        else await store.pullRequests.markMerged(input.task_id, result.mergeCommit);
      }
      return result;
    },
    summarize: (out) =>
      out.merged ? `merged as ${out.mergeCommit.slice(0, 12)}` : `not merged: ${out.reason}`,
  }),
);
