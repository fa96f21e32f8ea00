import { AutodevError } from '../errors.js';
import type { DetectedProject, RunProjectCommandOptions } from '../languages/types.js';
import type { ToolContext } from './types.js';

/** The sandbox, workspace, timeout and signal every project command of a tool runs with. */
export function commandOptions(ctx: ToolContext, timeoutSecs?: number): RunProjectCommandOptions {
  return {
    sandbox: ctx.services.sandbox,
    workspaceDir: ctx.workspaceDir,
    timeoutMs: (timeoutSecs ?? ctx.services.config.runner_timeout_secs) * 1000,
    signal: ctx.signal,
    ...(ctx.homeDir ? { homeDir: ctx.homeDir } : {}),
    ...(ctx.cacheDir ? { cacheDir: ctx.cacheDir } : {}),
    ...(ctx.services.npmRegistry ? { npmRegistry: ctx.services.npmRegistry } : {}),
    ...(ctx.services.goModuleEnv ? { goModuleEnv: ctx.services.goModuleEnv } : {}),
  };
}

/** All detected projects, or the one at `root` (VALIDATION_FAILED naming the folders there are). */
export function selectProjects(projects: DetectedProject[], root: string | undefined): DetectedProject[] {
  if (root === undefined) return projects;
  const normalized = root.replace(/^\.\/+/, '').replace(/\/+$/, '') || '.';
  const chosen = projects.filter((p) => p.root === normalized);
  if (chosen.length === 0) {
    const known = projects.map((p) => `${p.root} (${p.language})`).join(', ') || 'none';
    throw new AutodevError('VALIDATION_FAILED', `no project at ${JSON.stringify(root)}; detected: ${known}`);
  }
  return chosen;
}
