import type { GitRebaseOutput } from '../../tools/git-rebase.js';
import type { TestToolOutput } from '../../tools/test.js';
import { runStep } from '../step-runner.js';
import type { TaskContext } from '../task-context.js';
import { verdictOf } from './verify.js';

export type BaseSync =
  | {
      ok: true;
      head: string;
      /** Set when the base moved: where the change now sits, and its tests there. */ moved?: {
        base: string;
        tests: TestToolOutput;
      };
    }
  | { ok: false; reason: string };

/** Where the steps run: delivery's one sync, or the n-th update of a pull request waiting for review. */
export interface SyncAt {
  phase: 'deliver' | 'update';
  round: number;
}
const DELIVER: SyncAt = { phase: 'deliver', round: 1 };

// Names come from the repository: a reason lists a few, the audit trail's event all (bounded).
const MAX_NAMED_FILES = 20;
const MAX_EVENT_FILES = 200;

/**
 * Before a merge, the change is brought onto the base branch as it is now: a base that moved since the
 * task started gets the change replayed onto it, the tests run again against the baseline, and the
 * branch is pushed again (forced with a lease, the task's own branch only). A conflict, or tests the
 * new base breaks, is for a human: the pull request stays open for review. Every effect is a step, so a
 * resumed task reuses what was done.
 */
export async function syncWithBase(
  ctx: TaskContext,
  input: { branch: string; baseCommit: string; headCommit: string; baseline: TestToolOutput },
  at: SyncAt = DELIVER,
  /**
   * False: the replayed change is not pushed here; the caller pushes it (pushReplayed) once every
   * repository of a multi-repo task replayed, so a later one's conflict leaves every branch as it was.
   */
  push = true,
): Promise<BaseSync> {
  const { task } = ctx;
  // An update's events say which update they belong to; delivery's are the task's only ones.
  const tag = at.phase === 'update' ? { update: at.round } : {};
  const rebase = await runStep<GitRebaseOutput>(ctx, {
    ...at,
    tool: 'git_rebase',
    input: {
      repo: task.repo,
      base_branch: task.base_branch,
      base_commit: input.baseCommit,
      head_commit: input.headCommit,
      message: `${task.title}\n\nautodev task ${task.id}, replayed onto ${task.base_branch}.`,
      // Fixed by the task: a re-run after a crash makes the very commit that may already be pushed.
      commit_date: task.created_at,
    },
  });
  if (!rebase.base_moved) return { ok: true, head: input.headCommit };
  const moved = `base branch ${task.base_branch} moved to ${rebase.base.slice(0, 12)}`;

  if (rebase.conflicts.length > 0) {
    await appendOnce(ctx, 'pr.rebase_conflict', {
      ...tag,
      base: rebase.base,
      files: rebase.conflicts.slice(0, MAX_EVENT_FILES),
    });
    return { ok: false, reason: `${moved} and the change conflicts with it in: ${named(rebase.conflicts)}` };
  }
  // git_apply runs again on every resume and leaves the worktree on the unrebased change.
  if ((await ctx.services.git.head(ctx.workspaceDir)) !== rebase.head) {
    await ctx.services.git.resetTo(ctx.workspaceDir, rebase.head);
  }
  await appendOnce(ctx, 'pr.rebased', { ...tag, base: rebase.base, head: rebase.head });

  const tests = await runStep<TestToolOutput>(ctx, {
    ...at,
    tool: 'test',
    input: { config_commit: rebase.base, baseline: input.baseline.reports, acceptance: task.acceptance },
  });
  if (verdictOf(tests) !== 'pass') {
    return {
      ok: false,
      reason: `${moved}; on it the tests do not pass: ${tests.summary.replace(/\n/g, '; ')}`,
    };
  }
  if (push) await pushReplayed(ctx, input.branch, rebase.head, at);
  return { ok: true, head: rebase.head, moved: { base: rebase.base, tests } };
}

/** The library's replayed change pushed (forced with a lease) and recorded as its pull request's head. */
export async function pushReplayed(
  ctx: TaskContext,
  branch: string,
  head: string,
  at: SyncAt,
): Promise<void> {
  await runStep(ctx, {
    phase: at.phase,
    tool: 'git_push',
    // Delivery's first push is git_push#1; an update pushes once, under its own number.
    round: at.phase === 'deliver' ? 2 : at.round,
    input: { repo: ctx.task.repo, branch, force: true },
  });
  await ctx.store.pullRequests.setHeadCommit(ctx.task.id, head);
}

function named(files: readonly string[]): string {
  const shown = files.slice(0, MAX_NAMED_FILES).join(', ');
  return files.length > MAX_NAMED_FILES ? `${shown} and ${files.length - MAX_NAMED_FILES} more` : shown;
}

async function appendOnce(
  ctx: TaskContext,
  type: 'pr.rebased' | 'pr.rebase_conflict',
  data: Record<string, unknown>,
): Promise<void> {
  const events = await ctx.store.events.list(ctx.task.id);
  if (!events.some((e) => e.type === type && e.data.update === data.update)) {
    await ctx.store.events.append(ctx.task.id, type, data);
  }
}
