import { z } from 'zod';
import { createRepoAllowlist } from '../governance/allowlist.js';
import { resolveAllowedRepo } from '../governance/repo-access.js';
import { parseRepoRef } from '../workspace/repo-ref.js';
import { defineTool } from './define.js';
import { registerTool } from './register.js';

const commitId = z.string().regex(/^[0-9a-f]{7,64}$/, 'expected a commit id');

export interface GitRebaseOutput {
  /** The base branch's commit on the remote now. */
  base: string;
  /** Whether it moved past the task's base commit. */
  base_moved: boolean;
  /** The task's change on the current base (head_commit itself when the base did not move). */
  head: string;
  /** Files in which the change conflicts with what the base gained; empty when it replays cleanly. */
  conflicts: string[];
}

/**
 * Brings the task's change up to date with its base branch before a merge: when the base moved, the
 * change is replayed onto it as one commit (a rebase, squashed) and the worktree moved there. Safe
 * to run again after a crash: the same input gives the same commit (fixed author date).
 */
export const gitRebaseTool = registerTool(
  defineTool({
    name: 'git_rebase',
    description:
      "Fetch the base branch; if it moved past base_commit, replay the task's change (base_commit..head_commit) onto it as one commit and check it out, or name the files that conflict.",
    inputSchema: z.object({
      repo: z.string().min(1),
      base_branch: z.string().min(1),
      base_commit: commitId,
      head_commit: commitId,
      message: z.string().min(1),
      commit_date: z.iso.datetime(),
    }),
    async invoke(input, ctx): Promise<GitRebaseOutput> {
      const { git, config, forge } = ctx.services;
      const target = await resolveAllowedRepo(
        parseRepoRef(input.repo),
        createRepoAllowlist(config.allowlist_repos),
      );
      const auth = forge.gitAuth();
      const base = await git.fetchBranch(ctx.workspaceDir, target, input.base_branch, auth ? { auth } : {});
      const unchanged = {
        base: input.base_commit,
        base_moved: false,
        head: input.head_commit,
        conflicts: [],
      };
      if (base === undefined || base === input.base_commit) return unchanged;
      const replay = await git.replayOnto(ctx.workspaceDir, {
        head: input.head_commit,
        onto: base,
        message: input.message,
        author: {
          name: config.git.git_author_name,
          email: config.git.git_author_email,
          date: input.commit_date,
        },
      });
      if ('conflicts' in replay) {
        return { base, base_moved: true, head: input.head_commit, conflicts: replay.conflicts };
      }
      // Kept in the mirror (which the sandbox cannot write) so a resumed task finds the commit again.
      await git.keepCommit(ctx.workspaceDir, `refs/autodev/rebased/${ctx.taskId}`, replay.commit);
      await git.resetTo(ctx.workspaceDir, replay.commit);
      return { base, base_moved: true, head: replay.commit, conflicts: [] };
    },
    summarize: (out) =>
      !out.base_moved
        ? `base unchanged at ${out.base.slice(0, 12)}`
        : out.conflicts.length > 0
          ? `base moved to ${out.base.slice(0, 12)}; conflicts in ${out.conflicts.join(', ')}`
          : `rebased onto ${out.base.slice(0, 12)} as ${out.head.slice(0, 12)}`,
  }),
);
