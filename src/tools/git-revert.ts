import { z } from 'zod';
import { AutodevError } from '../errors.js';
import { defineTool } from './define.js';
import { registerTool } from './register.js';

const commitId = z.string().regex(/^[0-9a-f]{7,64}$/, 'expected a commit id');
// Conflicting names come from the repository: the error lists a few.
const MAX_NAMED_FILES = 20;

/**
 * Commits the undoing of a merged change on top of `onto` (the base branch as the revert task found
 * it). Safe to run again after a crash: the worktree is reset to `onto` first and the commit date is
 * fixed by the input, so the same input gives the same commit.
 */
export const gitRevertTool = registerTool(
  defineTool({
    name: 'git_revert',
    description:
      'Revert a merged change on top of a given commit: a merge commit against its first parent, or the commits since..commit; REVERT_CONFLICT names the files when it does not apply cleanly.',
    inputSchema: z.object({
      commit: commitId.describe('The merge commit (or the last commit of a fast-forwarded change).'),
      since: commitId.optional().describe('The commit the change started from, for a fast-forwarded change.'),
      onto: commitId,
      message: z.string().min(1),
      commit_date: z.iso.datetime(),
    }),
    async invoke(input, ctx) {
      const { git, config } = ctx.services;
      const dir = ctx.workspaceDir;
      await git.resetTo(dir, input.onto);
      const result = await git.revertCommits(dir, {
        commit: input.commit,
        ...(input.since ? { since: input.since } : {}),
        message: input.message,
        author: {
          name: config.git.git_author_name,
          email: config.git.git_author_email,
          date: input.commit_date,
        },
      });
      if ('conflicts' in result) {
        const shown = result.conflicts.slice(0, MAX_NAMED_FILES).join(', ');
        const more =
          result.conflicts.length > MAX_NAMED_FILES
            ? ` and ${result.conflicts.length - MAX_NAMED_FILES} more`
            : '';
        throw new AutodevError(
          'REVERT_CONFLICT',
          `reverting ${input.commit.slice(0, 12)} conflicts with the base branch in: ${shown}${more}`,
          { details: { files: result.conflicts.slice(0, 200) } },
        );
      }
      const files = await git.changedFiles(dir, input.onto);
      if (files.length === 0)
        throw new AutodevError('PATCH_FAILED', 'the revert changes nothing: already reverted?');
      return { commit: result.commit, files };
    },
    summarize: (out) => `revert commit ${out.commit.slice(0, 12)}: ${out.files.length} file(s)`,
  }),
);
