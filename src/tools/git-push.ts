import { z } from 'zod';
import { createRepoAllowlist } from '../governance/allowlist.js';
import { resolveAllowedRepo } from '../governance/repo-access.js';
import { parseRepoRef } from '../workspace/repo-ref.js';
import { defineTool } from './define.js';
import { registerTool } from './register.js';

/** Pushes the task branch; pushing again when the remote already has the commit sends nothing. */
export const gitPushTool = registerTool(
  defineTool({
    name: 'git_push',
    description: "Push the workspace's HEAD to the task branch on the repository.",
    inputSchema: z.object({
      repo: z.string().min(1),
      branch: z.string().min(1),
      force: z
        .boolean()
        .optional()
        .describe(
          'Replace the branch (with a lease on what is there now): after a rebase onto a moved base.',
        ),
    }),
    async invoke(input, ctx) {
      const { git, config } = ctx.services;
      // Checked again at the push: a local repo's link swapped since submission must not redirect it,
      // and git gets the real git directory so it follows no link of its own.
      const target = await resolveAllowedRepo(
        parseRepoRef(input.repo),
        createRepoAllowlist(config.allowlist_repos),
      );
      // The forge says how its token goes to git (GitHub x-access-token, GitLab oauth2, ...).
      const auth = ctx.services.forge.gitAuth();
      const result = await git.push(ctx.workspaceDir, target, input.branch, {
        ...(auth ? { auth } : {}),
        ...(input.force ? { force: true } : {}),
        // A cancel stops the push itself, even one held by the remote (a slow or hanging hook).
        signal: ctx.signal,
      });
      return { branch: input.branch, commit: result.remoteCommit, pushed: result.pushed };
    },
    summarize: (out) =>
      out.pushed
        ? `pushed ${out.branch} at ${out.commit.slice(0, 12)}`
        : `${out.branch} already at ${out.commit.slice(0, 12)}`,
  }),
);
