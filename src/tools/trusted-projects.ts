import { AUTODEV_TOML, detectProjects, type DetectedProject } from '../languages/index.js';
import { assertNoEscapingLinks } from '../workspace/escaping-links.js';
import type { ToolContext } from './types.js';

/**
 * The projects of the workspace with their commands from `.autodev.toml` as committed at
 * `configCommit` (the task's base), read from git's objects: a change under review cannot pick the
 * commands that judge it. Without a commit, the worktree's `.autodev.toml` (a run before any change).
 */
export async function detectProjectsForCheck(
  ctx: ToolContext,
  configCommit: string | undefined,
): Promise<DetectedProject[]> {
  // Tests and linters that follow a link out of the workspace would walk the host: refused first.
  await assertNoEscapingLinks(ctx.workspaceDir, ctx.signal);
  if (configCommit === undefined) return detectProjects(ctx.workspaceDir);
  const text = await ctx.services.git.fileAt(ctx.workspaceDir, configCommit, AUTODEV_TOML);
  return detectProjects(ctx.workspaceDir, { autodevToml: { text } });
}

export const CONFIG_COMMIT_DESCRIPTION =
  'Take the commands from .autodev.toml as committed at this commit (the task base), not from the worktree.';
