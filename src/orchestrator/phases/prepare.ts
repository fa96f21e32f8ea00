import type { TestToolOutput } from '../../tools/test.js';
import { runStep } from '../step-runner.js';
import { setupPhase } from './setup.js';
import type { TaskContext } from '../task-context.js';

export interface PreparedWorkspace {
  dir: string;
  branch: string;
  baseCommit: string;
  files: string[];
  baseline: TestToolOutput;
}

/**
 * Worktree on the task branch, the file list for the model, dependencies installed (setup), and the tests
 * as they stand before any change: what fails is what the model is shown first.
 */
export async function preparePhase(ctx: TaskContext): Promise<PreparedWorkspace> {
  const { task } = ctx;
  const branch = task.branch ?? branchName(task.id, task.title);
  if (!task.branch) ctx.task = await ctx.store.tasks.update(task.id, { branch });
  const clone = await runStep<{ dir: string; branch: string; base_commit: string }>(ctx, {
    phase: 'prepare',
    tool: 'git_clone',
    input: { repo: task.repo, base_branch: task.base_branch, branch, task_id: task.id },
  });
  ctx.workspaceDir = clone.dir;
  const listing = await runStep<{ files: string[] }>(ctx, { phase: 'prepare', tool: 'file_list', input: {} });
  await setupPhase(ctx);
  const baseline = await runStep<TestToolOutput>(ctx, {
    phase: 'prepare',
    tool: 'test',
    input: { config_commit: clone.base_commit },
  });
  return {
    dir: clone.dir,
    branch: clone.branch,
    baseCommit: clone.base_commit,
    files: listing.files,
    baseline,
  };
}

/** `autodev/<id>-<slug>`: unique by id, readable by slug. */
export function branchName(id: string, title: string): string {
  const slug = title
    .toLowerCase()
    .normalize('NFKD')
    .replace(/[^a-z0-9]+/g, '-')
    .replace(/^-+|-+$/g, '')
    .slice(0, 40)
    .replace(/-+$/, '');
  return `autodev/${id}${slug ? `-${slug}` : ''}`;
}
