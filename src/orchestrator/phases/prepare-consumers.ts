import type { TestToolOutput } from '../../tools/test.js';
import { consumerWorkspaceId, repoNames, type ConsumerWorkspace } from '../../multirepo/task-workspaces.js';
import { runStep, type StepRequest } from '../step-runner.js';
import type { TaskContext } from '../task-context.js';

/**
 * A multi-repo task's consumers get what the library gets in prepare, each in its own worktree on the
 * task's branch name, step by step beside the library's (every clone, then every listing, ...), so the
 * steps keep the phase table's order. Nothing here runs for a task of one repository.
 */
export async function cloneConsumers(ctx: TaskContext, branch: string): Promise<void> {
  const names = repoNames(ctx.task.repos);
  const consumers: ConsumerWorkspace[] = [];
  for (const [index, repo] of ctx.task.repos.entries()) {
    if (index === 0) continue;
    const name = names[index] ?? `repo-${index + 1}`;
    const workspaceId = consumerWorkspaceId(ctx.task.id, index);
    const clone = await runStep<{ dir: string; branch: string; base_commit: string }>(ctx, {
      phase: 'prepare',
      tool: 'git_clone',
      // Its own name in the step key; the dir is not known yet (the clone makes it).
      repo: { name, dir: ctx.workspaceDir, url: repo.repo },
      input: { repo: repo.repo, base_branch: repo.base_branch, branch, task_id: workspaceId },
    });
    consumers.push({
      repo,
      name,
      workspaceId,
      dir: clone.dir,
      branch: clone.branch,
      baseCommit: clone.base_commit,
      files: [],
    });
  }
  ctx.consumers = consumers;
}

/** Where a step of `consumer` runs: its worktree, its caches, its own step key. */
export function inConsumer(consumer: ConsumerWorkspace): NonNullable<StepRequest['repo']> {
  return { name: consumer.name, dir: consumer.dir, url: consumer.repo.repo };
}

export async function listConsumers(ctx: TaskContext): Promise<void> {
  for (const consumer of ctx.consumers ?? []) {
    const listing = await runStep<{ files: string[] }>(ctx, {
      phase: 'prepare',
      tool: 'file_list',
      repo: inConsumer(consumer),
      input: {},
    });
    consumer.files = listing.files;
  }
}

export async function setupConsumers(ctx: TaskContext): Promise<void> {
  for (const consumer of ctx.consumers ?? []) {
    await runStep(ctx, { phase: 'setup', tool: 'setup', repo: inConsumer(consumer), input: {} });
  }
}

/** Each consumer's tests before any change, with its own base's commands: what its verify compares with. */
export async function baselineConsumers(ctx: TaskContext): Promise<void> {
  for (const consumer of ctx.consumers ?? []) {
    consumer.baseline = await runStep<TestToolOutput>(ctx, {
      phase: 'prepare',
      tool: 'test',
      repo: inConsumer(consumer),
      input: { config_commit: consumer.baseCommit },
    });
  }
}
