import { AutodevError, toAutodevError } from '../../errors.js';
import type { PullRequest } from '../../domain/task.js';
import type { MergeResult } from '../../forges/types.js';
import { createRepoAllowlist } from '../../governance/allowlist.js';
import { resolveAllowedRepo } from '../../governance/repo-access.js';
import { repoNames, type ConsumerWorkspace } from '../../multirepo/task-workspaces.js';
import { parseRepoRef } from '../../workspace/repo-ref.js';
import { currentBaseOf } from '../base-update.js';
import { revertBranchName } from '../revert-task.js';
import { runStep, type StepRequest } from '../step-runner.js';
import type { TaskContext } from '../task-context.js';
import type { Change } from './implement.js';
import { inConsumer } from './prepare-consumers.js';
import { syncConsumerWithBase } from './rebase-consumer.js';

/**
 * A multi-repo task's delivery beside the library's (deliver.ts): each consumer the task changed gets
 * its branch pushed and its own pull request, every body lists the task's pull requests, and once the
 * library's merged the consumers' merge in the task's order. When one cannot, what merged already is
 * reverted (a revert pull request per repository, merged) and the task fails MULTI_REPO_MERGE_FAILED.
 */

/** A consumer the task changed, with its place among the task's repositories. */
interface ChangedConsumer {
  consumer: ConsumerWorkspace & { head: string };
  ordinal: number;
}

/** Revert steps carry round 3: 1 is the repository's own delivery, 2 a rebase's push. */
const REVERT_ROUND = 3;

/** Where a revert's steps are recorded: delivery's round 3, or a merge after review's own round. */
export interface RevertSteps {
  phase: StepRequest['phase'];
  round: number;
}

const DELIVERY_REVERT: RevertSteps = { phase: 'deliver', round: REVERT_ROUND };

export function changedConsumers(ctx: TaskContext): ChangedConsumer[] {
  const changed: ChangedConsumer[] = [];
  for (const consumer of ctx.consumers ?? []) {
    if (consumer.head === undefined) continue;
    const ordinal = ctx.task.repos.findIndex((r) => r.repo === consumer.repo.repo);
    changed.push({ consumer: { ...consumer, head: consumer.head }, ordinal });
  }
  return changed;
}

/** Each changed consumer's branch pushed, after the library's (same row of the phase table). */
export async function pushConsumers(ctx: TaskContext): Promise<void> {
  for (const { consumer } of changedConsumers(ctx)) {
    await runStep(ctx, {
      phase: 'deliver',
      tool: 'git_push',
      repo: inConsumer(consumer),
      input: { repo: consumer.repo.repo, branch: consumer.branch },
    });
  }
}

/** One line of the list of a task's pull requests. */
interface RelatedPullRequest {
  repo: string;
  role: 'library' | 'consumer';
  branch: string;
  url: string | null;
}

/**
 * The list every pull request of the task carries: each repository's pull request (its forge URL,
 * or its branch where the forge has none), in the order they merge, this one marked.
 */
export function relatedPullRequestsSection(entries: readonly RelatedPullRequest[], self: string): string {
  const lines = entries.map((e) => {
    const where = e.url ?? `branch \`${e.branch}\` of ${e.repo}`;
    const mark = e.repo === self ? ' (this pull request)' : '';
    return `- ${e.repo} (${e.role}): ${where}${mark}`;
  });
  return [
    '### Pull requests of this task',
    '',
    'One change across repositories: they merge in this order, the library first; when one cannot ' +
      'merge, the ones merged before it are reverted.',
    '',
    ...lines,
  ].join('\n');
}

/** The task's pull requests as known before any is opened (no URLs yet): the library's body lists them. */
export function plannedPullRequests(ctx: TaskContext, libraryBranch: string): RelatedPullRequest[] {
  return [
    { repo: ctx.task.repo, role: 'library', branch: libraryBranch, url: null },
    ...changedConsumers(ctx).map(({ consumer }) => ({
      repo: consumer.repo.repo,
      role: 'consumer' as const,
      branch: consumer.branch,
      url: null,
    })),
  ];
}

/**
 * Each changed consumer's pull request, opened after the library's (its body links the library's
 * URL); then, when the forge gives URLs, the library's body is rewritten to link theirs.
 */
export async function openConsumerPullRequests(
  ctx: TaskContext,
  input: {
    library: PullRequest;
    libraryBody: string;
    taskLink: string;
    labels: string[];
    /** A review round's or base update's steps; their consumers' open pull requests are kept. */
    at?: { phase: 'review' | 'update'; round: number };
  },
): Promise<PullRequest[]> {
  const { task } = ctx;
  // Filled in as each opens: a body links the URLs known by then (the library's, the earlier consumers').
  const entries = plannedPullRequests(ctx, input.library.branch).map((e) =>
    e.role === 'library' ? { ...e, url: input.library.url } : e,
  );
  const opened: PullRequest[] = [];
  for (const [index, { consumer, ordinal }] of changedConsumers(ctx).entries()) {
    const body = consumerPullRequestBody(ctx, entries, consumer.repo.repo, input.taskLink);
    // A review round opens the pull request of a consumer it changed first; the others it has.
    const existing = input.at
      ? await ctx.store.pullRequests.getRepo({
          taskId: task.id,
          repo: consumer.repo.repo,
          branch: consumer.branch,
        })
      : undefined;
    if (existing) {
      const entry = entries[index + 1];
      if (entry) entries[index + 1] = { ...entry, url: existing.url };
      continue;
    }
    const pr = await runStep<PullRequest>(ctx, {
      phase: 'deliver',
      ...input.at,
      tool: 'git_pr',
      repo: inConsumer(consumer),
      input: {
        task_id: task.id,
        repo: consumer.repo.repo,
        branch: consumer.branch,
        base_branch: consumer.repo.base_branch,
        title: task.title,
        body,
        labels: input.labels,
        head_commit: consumer.head,
        other: { role: 'consumer', ordinal },
      },
    });
    const entry = entries[index + 1];
    if (entry) entries[index + 1] = { ...entry, url: pr.url };
    await recordOnce(ctx, 'pr.repo_opened', pr, {
      role: 'consumer',
      branch: pr.branch,
      url: pr.url,
      number: pr.number,
      title: pr.title,
      body,
    });
    opened.push(pr);
  }
  // The library's pull request was opened first, without the others' URLs: now it links them too.
  if (opened.some((pr) => pr.url !== null)) {
    const body = `${input.libraryBody}\n\n${relatedPullRequestsSection(entries, task.repo)}`;
    await ctx.services.forge.updateBody(input.library, body);
  }
  return opened;
}

/** What a consumer's pull request says: the task, that it was built against the library, the list. */
export function consumerPullRequestBody(
  ctx: TaskContext,
  entries: readonly RelatedPullRequest[],
  consumerRepo: string,
  taskLink: string,
): string {
  const { task } = ctx;
  return [
    `Part of autodev task [${task.id}](${taskLink}): ${task.title}`,
    '',
    `This repository uses ${task.repo}, changed by the same task; its tests ran built against the changed library.`,
    '',
    relatedPullRequestsSection(entries, consumerRepo),
  ].join('\n');
}

/** The task's pull requests as they are (library first, then each consumer's), for their bodies' list. */
export async function currentPullRequests(ctx: TaskContext): Promise<RelatedPullRequest[]> {
  const all = await ctx.store.pullRequests.listOfTask(ctx.task.id);
  return all
    .filter((pr) => pr.role === undefined || pr.role === 'consumer')
    .map((pr) => ({
      repo: pr.repo,
      role: pr.role === 'consumer' ? ('consumer' as const) : ('library' as const),
      branch: pr.branch,
      url: pr.url,
    }));
}

/** Records a repository's pull request event once per repository and role (a resumed run comes back here). */
export async function recordOnce(
  ctx: TaskContext,
  type: 'pr.repo_opened' | 'pr.repo_merged',
  pr: PullRequest,
  data: Record<string, unknown>,
): Promise<void> {
  const events = await ctx.store.events.list(ctx.task.id);
  const role = data.role;
  if (events.some((e) => e.type === type && e.data.repo === pr.repo && e.data.role === role)) return;
  await ctx.store.events.append(ctx.task.id, type, { repo: pr.repo, ...data });
}

/** A merged repository of the task, what reverting it needs. */
export interface MergedRepo {
  name: string;
  dir: string;
  pr: PullRequest;
  /** Where a fast-forwarded change started: the revert undoes since..merge. */
  since: string | undefined;
  ordinal: number;
}

/**
 * After the library's merge: each consumer's, in the task's order. A consumer that cannot merge
 * (refused, or the forge failing) has every repository merged before it reverted, and the task fails
 * MULTI_REPO_MERGE_FAILED naming it and what was reverted.
 */
export async function mergeConsumers(
  ctx: TaskContext,
  library: PullRequest,
  consumers: readonly PullRequest[],
): Promise<void> {
  const { task } = ctx;
  const libraryName = repoNames(task.repos)[0] ?? 'library';
  const merged: MergedRepo[] = [
    {
      name: libraryName,
      dir: ctx.workspaceDir,
      pr: library,
      since: await currentBaseOf(ctx.store, task.id),
      ordinal: 0,
    },
  ];
  const changed = changedConsumers(ctx);
  for (const pr of consumers) {
    const found = changed.find((c) => c.consumer.repo.repo === pr.repo);
    if (!found) throw new AutodevError('INTERNAL', `pull request in ${pr.repo} is of no changed consumer`);
    const { consumer, ordinal } = found;
    let failure: string | undefined;
    let since = consumer.baseCommit;
    try {
      // Its base moved since the task cloned it: the change replayed onto it and tested again against
      // the library as merged, or the merge would be refused (and what merged reverted).
      const sync = await syncConsumerWithBase(ctx, consumer, consumer.baseCommit, {
        phase: 'deliver',
        round: 1,
      });
      if (!sync.ok) throw new AutodevError('PR_NOT_MERGEABLE', sync.reason);
      if (sync.moved) since = sync.moved.base;
      const result = await runStep<MergeResult>(ctx, {
        phase: 'deliver',
        tool: 'pr_merge',
        repo: inConsumer(consumer),
        input: { task_id: task.id, repo: pr.repo, branch: pr.branch },
      });
      if (result.merged) {
        await recordOnce(ctx, 'pr.repo_merged', pr, { role: 'consumer', merge_commit: result.mergeCommit });
        const stored = await ctx.store.pullRequests.getRepo({
          taskId: task.id,
          repo: pr.repo,
          branch: pr.branch,
        });
        merged.push({
          name: consumer.name,
          dir: consumer.dir,
          pr: stored ?? { ...pr, status: 'merged', merge_commit: result.mergeCommit },
          since,
          ordinal,
        });
      } else {
        failure = result.reason;
      }
    } catch (raw) {
      const error = toAutodevError(raw);
      if (error.code === 'SHUTTING_DOWN' || error.code === 'TASK_CANCELLED') throw error;
      failure = `${error.code}: ${error.message}`;
    }
    if (failure !== undefined) throw await revertAfterFailedMerge(ctx, pr.repo, failure, merged);
  }
}

/** Reverts what merged (the last merged first) and says so in the task's error. */
export async function revertAfterFailedMerge(
  ctx: TaskContext,
  failedRepo: string,
  failure: string,
  merged: readonly MergedRepo[],
  steps: RevertSteps = DELIVERY_REVERT,
): Promise<AutodevError> {
  const reverted: string[] = [];
  const notReverted: string[] = [];
  for (const repo of [...merged].reverse()) {
    try {
      await revertMerged(ctx, repo, steps);
      reverted.push(repo.pr.repo);
    } catch (raw) {
      const error = toAutodevError(raw);
      if (error.code === 'SHUTTING_DOWN') throw error;
      notReverted.push(`${repo.pr.repo} (${error.code}: ${error.message})`);
    }
  }
  const outcome =
    merged.length === 0
      ? 'none of them had merged'
      : notReverted.length === 0
        ? `the merged ones were reverted (a revert pull request merged in each): ${reverted.join(', ')}`
        : `reverted: ${reverted.join(', ') || 'none'}; NOT reverted, to undo by hand: ${notReverted.join('; ')}`;
  const after = merged.length > 0 ? " after the library's" : '';
  return new AutodevError(
    'MULTI_REPO_MERGE_FAILED',
    `the pull request in ${failedRepo} could not merge${after}: ${failure}; ${outcome}`,
    { details: { repo: failedRepo, reverted, not_reverted: notReverted } },
  );
}

/**
 * One merged repository's change undone by a pull request of its own (branch autodev/revert-<task>),
 * made on its base branch as it is now and merged.
 */
async function revertMerged(ctx: TaskContext, repo: MergedRepo, steps: RevertSteps): Promise<void> {
  const { task } = ctx;
  const { pr } = repo;
  const mergeCommit = pr.merge_commit;
  if (!mergeCommit) throw new AutodevError('TASK_NOT_REVERTIBLE', `${pr.repo} has no recorded merge`);
  const at: NonNullable<StepRequest['repo']> = { name: repo.name, dir: repo.dir, url: pr.repo };
  const target = await resolveAllowedRepo(
    parseRepoRef(pr.repo),
    createRepoAllowlist(ctx.config.allowlist_repos),
  );
  const auth = ctx.services.forge.gitAuth();
  const onto = await ctx.services.git.fetchBranch(
    repo.dir,
    target,
    pr.base_branch,
    auth ? { auth } : undefined,
  );
  if (!onto) throw new AutodevError('GIT_FAILED', `${pr.repo} has no branch ${pr.base_branch} to revert on`);
  const since = mergeCommit === pr.head_commit ? repo.since : undefined;
  const change = await runStep<Change>(ctx, {
    ...steps,
    tool: 'git_revert',
    repo: at,
    input: {
      commit: mergeCommit,
      ...(since ? { since } : {}),
      onto,
      message: `Revert: ${task.title}\n\nThis reverts the merge ${mergeCommit} of autodev task ${task.id}: another repository's pull request of the task could not merge.`,
      commit_date: task.created_at,
    },
  });
  const branch = revertBranchName(task.id);
  await runStep(ctx, {
    ...steps,
    tool: 'git_push',
    repo: at,
    input: { repo: pr.repo, branch },
  });
  const body =
    `Reverts ${pr.url ?? `branch \`${pr.branch}\``} of autodev task ${task.id}: the task's change spans ` +
    'repositories and a later one could not merge, so what merged is undone.';
  const revert = await runStep<PullRequest>(ctx, {
    ...steps,
    tool: 'git_pr',
    repo: at,
    input: {
      task_id: task.id,
      repo: pr.repo,
      branch,
      base_branch: pr.base_branch,
      title: `Revert: ${task.title}`,
      body,
      labels: ['autodev'],
      head_commit: change.commit,
      other: { role: 'revert', ordinal: repo.ordinal },
    },
  });
  await recordOnce(ctx, 'pr.repo_opened', revert, { role: 'revert', branch, url: revert.url, body });
  const result = await runStep<MergeResult>(ctx, {
    ...steps,
    tool: 'pr_merge',
    repo: at,
    input: { task_id: task.id, repo: pr.repo, branch },
  });
  if (!result.merged)
    throw new AutodevError('PR_NOT_MERGEABLE', `its revert did not merge: ${result.reason}`);
  await recordOnce(ctx, 'pr.repo_merged', revert, { role: 'revert', merge_commit: result.mergeCommit });
}
