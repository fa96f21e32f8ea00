import { z } from 'zod';
import { AutodevError } from '../errors.js';
import { defineTool } from './define.js';
import { registerTool } from './register.js';

const commitId = z.string().regex(/^[0-9a-f]{7,64}$/, 'expected a commit id');

/**
 * Commits a change on top of `from_commit`: either the tree of `change_commit` (what codegen kept, the
 * exact files) or a unified diff given by a caller. Safe to run again after a crash: the worktree is
 * reset (to the new commit, or to `from_commit` before a diff is applied), and the commit date is
 * fixed by the input, so the same input gives the same commit id.
 */
export const gitApplyTool = registerTool(
  defineTool({
    name: 'git_apply',
    description:
      'Commit a change on the task branch on top of a given commit: the tree of a commit made by codegen, or a unified diff.',
    inputSchema: z
      .object({
        change_commit: commitId.optional(),
        patch: z.string().min(1).optional(),
        from_commit: commitId,
        message: z.string().min(1),
        commit_date: z.iso.datetime().optional(),
      })
      .refine((input) => (input.change_commit === undefined) !== (input.patch === undefined), {
        message:
          'expected exactly one of change_commit (a commit made by codegen) and patch (a unified diff)',
        path: ['change_commit'],
      }),
    async invoke(input, ctx) {
      const { git, config } = ctx.services;
      const dir = ctx.workspaceDir;
      // The commit date is fixed by the input: committing the same change again gives the same commit id.
      const author = {
        name: config.git.git_author_name,
        email: config.git.git_author_email,
        date: input.commit_date,
      };
      if (input.change_commit !== undefined) {
        // No reset to from_commit first: the commit is built from objects alone, and the one reset to
        // it below leaves the same files whatever state the worktree was in.
        const commit = await git.commitTreeOf(
          dir,
          input.change_commit,
          input.from_commit,
          input.message,
          author,
        );
        await git.resetTo(dir, commit);
        const files = await git.changedFiles(dir, input.from_commit);
        if (files.length === 0) throw new AutodevError('PATCH_FAILED', 'the change changes nothing');
        // Where it started, kept with the commit: a resumed review round starts a consumer there again.
        return { commit, files, from_commit: input.from_commit };
      }
      await git.resetTo(dir, input.from_commit);
      const files = await git.applyUnifiedDiff(dir, input.patch ?? '');
      const { commit, changed } = await git.commitAll(dir, input.message, author);
      if (!changed) throw new AutodevError('PATCH_FAILED', 'the patch applied but changed nothing');
      return { commit, files };
    },
    summarize: (out) => `commit ${out.commit.slice(0, 12)}: ${out.files.length} file(s)`,
  }),
);
