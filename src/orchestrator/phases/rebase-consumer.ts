import type { ConsumerWorkspace } from '../../multirepo/task-workspaces.js';
import type { GitRebaseOutput } from '../../tools/git-rebase.js';
import type { TestToolOutput } from '../../tools/test.js';
import { runStep } from '../step-runner.js';
import type { TaskContext } from '../task-context.js';
import { inConsumer } from './prepare-consumers.js';
import type { BaseSync, SyncAt } from './rebase.js';
import { verdictOf } from './verify.js';

// A reason names a few conflicting files; the rest are counted.
const MAX_NAMED_FILES = 20;

/**
 * A multi-repo task's consumer brought onto its base branch as it is now, as syncWithBase does for
 * the library: a base that moved since `fromBase` gets the consumer's change replayed onto it, its
 * tests run again built against the library as its worktree is (the changed, or merged, library),
 * judged against its own baseline, and its branch pushed again (forced with a lease, the task's own
 * branch only) with its pull request's head moved. A conflict or failing tests are the reason, naming
 * the repository. Steps carry the repository (`deliver.git_rebase@<name>#1`).
 */
export async function syncConsumerWithBase(
  ctx: TaskContext,
  consumer: ConsumerWorkspace & { head: string },
  fromBase: string,
  at: SyncAt,
  /** False: pushed later by the caller (pushReplayedConsumer), once every repository replayed. */
  push = true,
): Promise<BaseSync> {
  const { task } = ctx;
  const { repo, base_branch: baseBranch } = consumer.repo;
  const where = inConsumer(consumer);
  const rebase = await runStep<GitRebaseOutput>(ctx, {
    ...at,
    tool: 'git_rebase',
    repo: where,
    input: {
      repo,
      base_branch: baseBranch,
      base_commit: fromBase,
      head_commit: consumer.head,
      message: `${task.title}\n\nautodev task ${task.id}, replayed onto ${baseBranch}.`,
      // Fixed by the task: a re-run after a crash makes the very commit that may already be pushed.
      commit_date: task.created_at,
    },
  });
  if (!rebase.base_moved) return { ok: true, head: consumer.head };
  const moved = `base branch ${baseBranch} of ${repo} moved to ${rebase.base.slice(0, 12)}`;
  if (rebase.conflicts.length > 0) {
    return { ok: false, reason: `${moved} and its change conflicts with it in: ${named(rebase.conflicts)}` };
  }
  if ((await ctx.services.git.head(consumer.dir)) !== rebase.head) {
    await ctx.services.git.resetTo(consumer.dir, rebase.head);
  }
  const tests = await runStep<TestToolOutput>(ctx, {
    ...at,
    tool: 'test',
    repo: where,
    linkToLibrary: true,
    input: {
      config_commit: rebase.base,
      ...(consumer.baseline ? { baseline: consumer.baseline.reports } : {}),
    },
  });
  if (verdictOf(tests) !== 'pass') {
    return {
      ok: false,
      reason: `${moved}; on it, built against the library, its tests do not pass: ${tests.summary.replace(/\n/g, '; ')}`,
    };
  }
  if (push) await pushReplayedConsumer(ctx, consumer, rebase.head, at);
  return { ok: true, head: rebase.head, moved: { base: rebase.base, tests } };
}

/** A consumer's replayed change pushed (forced with a lease) and recorded as its pull request's head. */
export async function pushReplayedConsumer(
  ctx: TaskContext,
  consumer: ConsumerWorkspace,
  head: string,
  at: SyncAt,
): Promise<void> {
  const { repo } = consumer.repo;
  await runStep(ctx, {
    phase: at.phase,
    tool: 'git_push',
    // Delivery's first push is git_push@<name>#1; an update pushes once, under its own number.
    round: at.phase === 'deliver' ? 2 : at.round,
    repo: inConsumer(consumer),
    input: { repo, branch: consumer.branch, force: true },
  });
  await ctx.store.pullRequests.setRepoHeadCommit(
    { taskId: ctx.task.id, repo, branch: consumer.branch },
    head,
  );
}

function named(files: readonly string[]): string {
  const shown = files.slice(0, MAX_NAMED_FILES).join(', ');
  return files.length > MAX_NAMED_FILES ? `${shown} and ${files.length - MAX_NAMED_FILES} more` : shown;
}
