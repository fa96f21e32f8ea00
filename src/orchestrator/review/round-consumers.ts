import type { PullRequest } from '../../domain/task.js';
import type { LintReport } from '../../languages/types.js';
import { AutodevError } from '../../errors.js';
import { consumerWorkspaceId, repoNames, type ConsumerWorkspace } from '../../multirepo/task-workspaces.js';
import type { TestToolOutput } from '../../tools/test.js';
import {
  consumerPullRequestBody,
  currentPullRequests,
  openConsumerPullRequests,
  relatedPullRequestsSection,
} from '../phases/deliver-repos.js';
import { pullRequestLabels, taskLink } from '../phases/deliver.js';
import { inConsumer } from '../phases/prepare-consumers.js';
import { runStep } from '../step-runner.js';
import type { TaskContext } from '../task-context.js';

/**
 * What a review round (or a base update) of a multi-repo task does in its consumers, beside the
 * library's steps: each consumer's worktree at its pull request's head (at its base when it has none:
 * the round may change it), then, for the consumers the round changed, their push, pull request and
 * body. Every step is keyed by the round and the repository (`review.git_push@<name>#N`).
 */

export interface RoundAt {
  phase: 'review' | 'update';
  round: number;
}

/** A first-run step a round builds on; it must have succeeded. */
async function firstRunOutput<T>(ctx: TaskContext, key: string): Promise<T> {
  const step = await ctx.store.steps.get(ctx.task.id, key);
  if (step?.status !== 'succeeded') {
    throw new AutodevError('INTERNAL', `this round needs the first run's step ${key}, which did not succeed`);
  }
  return step.output as T;
}

/**
 * Each consumer's worktree for the round, at its open pull request's head (or its base), set up;
 * `ctx.consumers` holds them, so the model's tools take `repo` as in the first run.
 */
export async function prepareRoundConsumers(ctx: TaskContext, at: RoundAt): Promise<void> {
  const { task } = ctx;
  if (task.repos.length < 2) return;
  const names = repoNames(task.repos);
  const consumers: ConsumerWorkspace[] = [];
  for (const [index, repo] of task.repos.entries()) {
    if (index === 0) continue;
    const name = names[index] ?? `repo-${index + 1}`;
    const first = await firstRunOutput<{ branch: string; base_commit: string }>(
      ctx,
      `prepare.git_clone@${name}#1`,
    );
    const baseline = await firstRunOutput<TestToolOutput>(ctx, `prepare.test@${name}#1`);
    const listing = await firstRunOutput<{ files: string[] }>(ctx, `prepare.file_list@${name}#1`);
    // The consumer's lint on its base, as the library's round compares with the library's: without it
    // every warning in a changed file counted as the round's (a run older than the step has none).
    const lint = await ctx.store.steps.get(task.id, `prepare.lint@${name}#1`);
    const lintBaseline =
      lint?.status === 'succeeded' ? (lint.output as { reports: LintReport[] }).reports : undefined;
    const workspaceId = consumerWorkspaceId(task.id, index);
    const clone = await runStep<{ dir: string; branch: string }>(ctx, {
      ...at,
      tool: 'git_clone',
      repo: { name, dir: ctx.workspaceDir, url: repo.repo },
      input: { repo: repo.repo, base_branch: repo.base_branch, branch: first.branch, task_id: workspaceId },
    });
    const pr = await ctx.store.pullRequests.getRepo({
      taskId: task.id,
      repo: repo.repo,
      branch: first.branch,
    });
    // Where this round started in the repository, when a crash interrupted it after its commit there
    // (the pull request may hold that commit already): the round commits on the same start again.
    const applied = await ctx.store.steps.get(task.id, `${at.phase}.git_apply@${name}#${at.round}`);
    const startedAt =
      applied?.status === 'succeeded'
        ? (applied.output as { from_commit?: unknown } | undefined)?.from_commit
        : undefined;
    const head =
      typeof startedAt === 'string' ? startedAt : pr?.status === 'open' ? pr.head_commit : undefined;
    // A worktree prepared again starts at the base: the round builds on what the pull request holds.
    await ctx.services.git.resetTo(clone.dir, head ?? first.base_commit);
    consumers.push({
      repo,
      name,
      workspaceId,
      dir: clone.dir,
      branch: clone.branch,
      baseCommit: await currentConsumerBase(ctx, repo.repo, first.base_commit),
      files: listing.files,
      baseline,
      ...(lintBaseline ? { lintBaseline } : {}),
      ...(head !== undefined ? { head } : {}),
    });
  }
  ctx.consumers = consumers;
  for (const consumer of consumers) {
    await runStep(ctx, { ...at, tool: 'setup', repo: inConsumer(consumer), input: {} });
  }
}

/**
 * The base commit a consumer's change sits on: the last base update's that replayed it, else the one
 * the task cloned (`cloned`).
 */
export async function currentConsumerBase(ctx: TaskContext, repo: string, cloned: string): Promise<string> {
  const events = await ctx.store.events.list(ctx.task.id);
  for (const event of [...events].reverse()) {
    if (event.type !== 'pr.base_updated' || !Array.isArray(event.data.repos)) continue;
    const entry = (event.data.repos as { repo?: unknown; base?: unknown }[]).find((r) => r.repo === repo);
    if (typeof entry?.base === 'string') return entry.base;
  }
  return cloned;
}

/** The repositories the model is told of in a round's request: names for the tools' `repo` parameter. */
export function describeRoundRepositories(ctx: TaskContext): string {
  if (!ctx.consumers?.length) return '';
  const names = repoNames(ctx.task.repos);
  const lines = ctx.task.repos.map((r, i) => `- ${names[i] ?? r.repo} (${r.role}): ${r.repo}`);
  return [
    'This task spans these repositories; every file, search, edit and command tool takes `repo` (the',
    `library, ${names[0] ?? 'the first'}, when omitted). A comment's path is relative to its repository.`,
    ...lines,
    '',
  ].join('\n');
}

/** The name of the repository a review was on: the library's when the review names none or another. */
export function reviewRepoName(ctx: TaskContext, repo: string | null): string | undefined {
  if (ctx.task.repos.length < 2) return undefined;
  const names = repoNames(ctx.task.repos);
  const index =
    repo === null ? 0 : ctx.task.repos.findIndex((r) => r.repo === repo || r.repo_normalized === repo);
  return names[Math.max(index, 0)];
}

/**
 * The consumers the round changed: each branch pushed, its open pull request's head moved, and one
 * opened for a consumer the task changes first now. Returns their pull requests.
 */
export async function pushRoundConsumers(
  ctx: TaskContext,
  at: RoundAt,
  changed: readonly string[],
  library: PullRequest,
  libraryBody: string,
): Promise<PullRequest[]> {
  const { task } = ctx;
  const consumers = (ctx.consumers ?? []).filter((c) => changed.includes(c.name));
  for (const consumer of consumers) {
    await runStep(ctx, {
      ...at,
      tool: 'git_push',
      repo: inConsumer(consumer),
      input: { repo: consumer.repo.repo, branch: consumer.branch },
    });
    if (consumer.head === undefined) continue;
    await ctx.store.pullRequests.setRepoHeadCommit(
      { taskId: task.id, repo: consumer.repo.repo, branch: consumer.branch },
      consumer.head,
    );
  }
  if (consumers.length > 0) {
    await openConsumerPullRequests(ctx, {
      library,
      libraryBody,
      taskLink: taskLink(ctx),
      labels: pullRequestLabels(ctx),
      at,
    });
  }
  const prs: PullRequest[] = [];
  for (const consumer of consumers) {
    const pr = await ctx.store.pullRequests.getRepo({
      taskId: task.id,
      repo: consumer.repo.repo,
      branch: consumer.branch,
    });
    if (pr) prs.push(pr);
  }
  return prs;
}

/** The library's and each given consumer pull request's body, with the task's list of pull requests. */
export async function updateRoundBodies(
  ctx: TaskContext,
  library: PullRequest,
  libraryBody: string,
  consumers: readonly PullRequest[],
): Promise<void> {
  const entries = await currentPullRequests(ctx);
  const forge = ctx.services.forge;
  await forge.updateBody(library, `${libraryBody}\n\n${relatedPullRequestsSection(entries, ctx.task.repo)}`);
  for (const pr of consumers) {
    await forge.updateBody(pr, consumerPullRequestBody(ctx, entries, pr.repo, taskLink(ctx)));
  }
}
