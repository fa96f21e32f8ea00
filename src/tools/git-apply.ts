import { z } from 'zod';
import { AutodevError } from '../errors.js';
import { defineTool } from './define.js';
import { registerTool } from './register.js';

/**
 * Applies a patch on top of `from_commit` and commits it. Safe to run again after a crash: the worktree
 * is first reset to `from_commit`, so a half-applied patch never stays, and the same patch gives the
 * same tree.
 */
export const gitApplyTool = registerTool(
  defineTool({
    name: 'git_apply',
    description:
      'Apply a unified diff to the workspace on top of a given commit, and commit it on the task branch.',
    inputSchema: z.object({
      patch: z.string().min(1),
      from_commit: z.string().regex(/^[0-9a-f]{7,64}$/, 'expected a commit id'),
      message: z.string().min(1),
      commit_date: z.iso.datetime().optional(),
    }),
    async invoke(input, ctx) {
      const { git, config } = ctx.services;
      await git.resetTo(ctx.workspaceDir, input.from_commit);
      const files = await git.applyUnifiedDiff(ctx.workspaceDir, input.patch);
      // The commit date is fixed by the input: applying the same patch again gives the same commit id.
      const author = {
        name: config.git.git_author_name,
        email: config.git.git_author_email,
        date: input.commit_date,
      };
      const { commit, changed } = await git.commitAll(ctx.workspaceDir, input.message, author);
      if (!changed) throw new AutodevError('PATCH_FAILED', 'the patch applied but changed nothing');
      return { commit, files };
    },
    summarize: (out) => `commit ${out.commit.slice(0, 12)}: ${out.files.length} file(s)`,
  }),
);
