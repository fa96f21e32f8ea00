import type { LintReport } from '../../languages/types.js';
import type { PrReview, PullRequest, ReviewRound, TaskStatus } from '../../domain/task.js';
import { AutodevError, toAutodevError } from '../../errors.js';
import type { CodegenOutput } from '../../tools/codegen.js';
import type { TestToolOutput } from '../../tools/test.js';
import { checksPassed, countDelivered } from '../../metrics/outcomes.js';
import { decidePhase } from '../phases/decide.js';
import { pullRequestBodyAfter } from '../phases/deliver.js';
import { checkChange, testsStillFailing, verdictOf } from '../phases/verify.js';
import { applyConsumerChanges, multiRepoInput } from '../phases/implement.js';
import {
  checkConsumers,
  combineRepoTests,
  verifyConsumers,
  type ConsumerResult,
} from '../phases/verify-consumers.js';
import {
  describeRoundRepositories,
  prepareRoundConsumers,
  pushRoundConsumers,
  reviewRepoName,
  updateRoundBodies,
} from './round-consumers.js';
import { isAutodevComment } from './rules.js';
import { reviewerCheckFor } from './reviewer-standing.js';
import { runStep } from '../step-runner.js';
import { setStatus } from '../transitions.js';
import type { TaskContext } from '../task-context.js';

// The diff the model is shown: enough to see what it did, never the whole of a huge change.
const MAX_DIFF_CHARS = 30_000;
// Codegen keeps each change under a ref named by its round: review rounds count from here, apart from repair rounds.
const CODEGEN_ROUND_BASE = 100;

/**
 * One review round: the reviewers' comments and the current diff go to the model, its fix is a NEW
 * commit on the pull request's branch (never an amend: reviewers see what changed since they looked),
 * the tests run again against the first run's baseline, the checks and policy decide anew, the branch
 * is pushed, the body replaced and ONE comment answers the round. Every call is a step keyed by the
 * round (`review.<tool>#<n>`): a crash mid-round resumes at the step it reached.
 */
export async function runReviewRound(ctx: TaskContext, round: ReviewRound): Promise<TaskStatus> {
  const at = { phase: 'review' as const, round: round.round };
  const pr = await ctx.store.pullRequests.getByTask(ctx.task.id);
  if (!pr) throw new AutodevError('PR_NOT_FOUND', `task ${ctx.task.id} has no pull request to review`);
  try {
    ctx.signal.throwIfAborted();
    await setStatus(ctx, 'executing');
    const first = await firstRun(ctx);
    const clone = await runStep<{ dir: string }>(ctx, {
      ...at,
      tool: 'git_clone',
      input: {
        repo: ctx.task.repo,
        base_branch: ctx.task.base_branch,
        branch: pr.branch,
        task_id: ctx.task.id,
      },
    });
    ctx.workspaceDir = clone.dir;
    await ctx.services.git.resetTo(clone.dir, round.from_commit);
    await runStep(ctx, { ...at, tool: 'setup', input: {} });
    // A multi-repo task: each consumer at its pull request's head, so the model may change any.
    await prepareRoundConsumers(ctx, at);

    const comments = await roundComments(ctx, round, pr);
    const diff = [
      await ctx.services.git.diff(clone.dir, first.baseCommit),
      // A multi-repo task's consumers the pull requests change: their diffs too, each named.
      ...(await Promise.all(
        (ctx.consumers ?? [])
          .filter((c) => c.head !== undefined)
          .map(async (c) => `# ${c.name}\n${await ctx.services.git.diff(c.dir, c.baseCommit)}`),
      )),
    ].join('\n');
    const generated = await runStep<CodegenOutput>(ctx, {
      ...at,
      tool: 'codegen',
      input: {
        title: ctx.task.title,
        description: ctx.task.description,
        // Appended to the task's one conversation: the model sees its own earlier work and the review.
        follow_up: reviewRequests(ctx, round.round, comments, diff),
        constraints: ctx.task.constraints,
        acceptance: ctx.task.acceptance,
        from_commit: round.from_commit,
        ...multiRepoInput(ctx),
        files: first.files.slice(0, 2000),
        round: CODEGEN_ROUND_BASE + round.round,
      },
    });
    const message = `${ctx.task.title} (review round ${round.round})\n\nAutodev-Task: ${ctx.task.id}`;
    // A multi-repo round may leave the library as it was and change only consumers.
    const libraryChanged = generated.files.length > 0 || generated.repo_changes === undefined;
    const applied = libraryChanged
      ? await runStep<{ commit: string; files: string[] }>(ctx, {
          ...at,
          tool: 'git_apply',
          input: {
            change_commit: generated.change_commit,
            from_commit: round.from_commit,
            message,
            // Fixed by the round: the same change commits to the same id when the step runs again.
            commit_date: round.created_at,
          },
        })
      : { commit: round.from_commit, files: [] };
    const changedConsumers = await applyConsumerChanges(ctx, at, generated, {
      message,
      commitDate: round.created_at,
    });

    await setStatus(ctx, 'verifying');
    const tests = await runStep<TestToolOutput>(ctx, {
      ...at,
      tool: 'test',
      input: {
        config_commit: first.baseCommit,
        baseline: first.baseline.reports,
        acceptance: ctx.task.acceptance,
      },
    });
    // Each consumer built against the library as the round left it, judged against its own baseline.
    const consumerTests = ctx.consumers?.length ? await verifyConsumers(ctx, round.round, at) : [];
    const combined = combineRepoTests(tests, consumerTests);
    if (verdictOf(combined) === 'fail') throw testsStillFailing(combined, 1);
    const filesChanged = await ctx.services.git.changedFiles(ctx.workspaceDir, first.baseCommit);
    let consumers: ConsumerResult[] | undefined;
    const checks = await checkChange(
      ctx,
      first.baseCommit,
      filesChanged,
      first.lintBaseline,
      at,
      ctx.consumers?.length
        ? async () => {
            consumers = await checkConsumers(ctx, consumerTests, at);
          }
        : undefined,
    );
    const decision = await decidePhase(
      ctx,
      {
        tests: combined,
        baseline: first.baseline,
        filesChanged,
        checks,
        ...(consumers ? { consumers } : {}),
      },
      at,
    );

    await setStatus(ctx, 'delivering');
    await runStep(ctx, { ...at, tool: 'git_push', input: { repo: ctx.task.repo, branch: pr.branch } });
    await ctx.store.pullRequests.setHeadCommit(ctx.task.id, applied.commit);
    const forge = ctx.services.forge;
    const body = await pullRequestBodyAfter(ctx, {
      decision,
      tests: combined,
      baseline: first.baseline,
      checks,
    });
    const changedPrs = ctx.consumers?.length
      ? await pushRoundConsumers(ctx, at, changedConsumers, pr, body)
      : [];
    if (ctx.consumers?.length) await updateRoundBodies(ctx, pr, body, changedPrs);
    else await forge.updateBody(pr, body);
    const consumerFiles = (generated.repo_changes ?? []).flatMap((c) => c.files.map((f) => `${c.repo}/${f}`));
    const summary = [
      `Review round ${round.round}: answered ${comments.length} review comment(s) with commit ${applied.commit.slice(0, 12)}.`,
      ...changedPrs.map((c) => `In ${c.repo}: commit ${c.head_commit.slice(0, 12)}.`),
      `Files changed in this round: ${[...applied.files, ...consumerFiles].join(', ')}`,
      `Tests: ${tests.summary.split('\n')[0] ?? ''}`,
      decision.allow
        ? 'Policy allows the merge.'
        : `Policy: ${decision.deny.map((d) => d.code).join(', ') || 'needs review'}`,
    ].join('\n');
    // The answer on the library's pull request and on each other one the round changed.
    for (const answered of [pr, ...changedPrs]) {
      await forge.comment(
        answered,
        `round-${round.round}`,
        `<!-- autodev:round-${round.round} -->\n${summary}`,
      );
    }
    await ctx.store.reviewRounds.finish(ctx.task.id, round.round, { status: 'done', commit: applied.commit });
    await ctx.store.events.append(ctx.task.id, 'review.round_finished', {
      round: round.round,
      commit: applied.commit,
      files: applied.files,
      ...(changedPrs.length > 0
        ? {
            repos: changedPrs.map((c) => ({ repo: c.repo, commit: c.head_commit })),
            repo_files: consumerFiles,
          }
        : {}),
      comments_answered: comments.map((c) => c.id),
      tests: tests.summary,
      summary,
    });
    // A round that made the checks pass delivered the change, if nothing counted it before.
    if (checksPassed(decision)) await countDelivered(ctx.store, ctx.metrics, ctx.task.id, 'awaiting_review');
    await end(ctx, 'awaiting_review', null);
    return 'awaiting_review';
  } catch (raw) {
    const error = ctx.signal.aborted ? toAutodevError(ctx.signal.reason) : toAutodevError(raw);
    if (error.code === 'SHUTTING_DOWN') throw error;
    await ctx.store.reviewRounds.finish(ctx.task.id, round.round, { status: 'failed', error: error.message });
    if (error.code === 'TASK_CANCELLED') {
      await end(ctx, 'cancelled', { code: error.code, message: error.message });
      return 'cancelled';
    }
    // The pull request is still there and still what it was: it waits for a human, told why.
    const message = `review round ${round.round} could not answer the review: ${error.code}: ${error.message}`;
    await ctx.services.forge
      .comment(pr, `round-${round.round}`, `<!-- autodev:round-${round.round} -->\n${message}`)
      .catch((e: unknown) => ctx.log.warn({ err: e }, 'could not comment the failed review round'));
    await ctx.store.events.append(ctx.task.id, 'review.round_failed', {
      round: round.round,
      error: { code: error.code, message: error.message },
    });
    await end(ctx, 'awaiting_review', { code: 'REVIEW_ROUND_FAILED', message });
    return 'awaiting_review';
  }
}

async function end(ctx: TaskContext, status: TaskStatus, error: { code: string; message: string } | null) {
  ctx.task = await ctx.store.tasks.update(ctx.task.id, { finished_at: new Date().toISOString(), error });
  await setStatus(ctx, status);
}

/** What the first run established and every round builds on: its base, baseline and file list. */
export async function firstRun(ctx: TaskContext) {
  const output = async <T>(key: string): Promise<T> => {
    const step = await ctx.store.steps.get(ctx.task.id, key);
    if (step?.status !== 'succeeded') {
      throw new AutodevError(
        'INTERNAL',
        `review round needs the first run's step ${key}, which did not succeed`,
      );
    }
    return step.output as T;
  };
  const clone = await output<{ base_commit: string }>('prepare.git_clone#1');
  const baseline = await output<TestToolOutput>('prepare.test#1');
  const listing = await output<{ files: string[] }>('prepare.file_list#1');
  const lint = await ctx.store.steps.get(ctx.task.id, 'prepare.lint#1');
  const lintBaseline =
    lint?.status === 'succeeded' ? (lint.output as { reports: LintReport[] }).reports : undefined;
  return { baseCommit: clone.base_commit, baseline, files: listing.files, lintBaseline };
}

/** The allowed reviewers' comments the round answers: after the previous round, up to this one's mark. */
async function roundComments(ctx: TaskContext, round: ReviewRound, pr: PullRequest): Promise<PrReview[]> {
  const rounds = await ctx.store.reviewRounds.list(ctx.task.id);
  const after = rounds.filter((r) => r.round < round.round).at(-1)?.through_review_id ?? 0;
  const reviews = await ctx.store.prReviews.list(ctx.task.id);
  // The same check the review intake decided the round with: the author as the forge reports it now,
  // and with reviewers empty on a hosted forge, the commenters' write permission.
  const author =
    ctx.services.forge.id === 'local' ? undefined : (await ctx.services.forge.readActivity(pr)).author;
  const isAllowed = await reviewerCheckFor(
    { config: ctx.config, forge: ctx.services.forge },
    pr,
    reviews,
    author,
  );
  return reviews.filter(
    (r) =>
      r.id > after &&
      r.id <= round.through_review_id &&
      (r.kind === 'changes_requested' || r.kind === 'comment') &&
      isAllowed(r) &&
      !isAutodevComment(r.comment),
  );
}

/** The task as first given, then the review: each comment with who wrote it and where, then the diff so far. */
function reviewRequests(ctx: TaskContext, round: number, comments: PrReview[], diff: string): string {
  const listed = comments.map((c) => {
    // A multi-repo task: which repository the comment was on (the whole task's when made through the API).
    const repoName = reviewRepoName(ctx, c.repo);
    const inRepo = repoName === undefined ? '' : c.repo === null ? '' : ` in repository ${repoName}`;
    const where = c.path ? ` on ${c.path}${c.line ? `:${c.line}` : ''}${inRepo}` : inRepo;
    const kind = c.kind === 'changes_requested' ? 'requested changes' : 'commented';
    return `- ${c.by} ${kind}${where}: ${c.comment?.trim() || '(no text)'}`;
  });
  const shown =
    diff.length > MAX_DIFF_CHARS
      ? `${diff.slice(0, MAX_DIFF_CHARS)}\n… (diff cut at ${MAX_DIFF_CHARS} characters)`
      : diff;
  return [
    `## Review round ${round}`,
    'Your change is in a pull request, and reviewers asked for changes. Address every comment below',
    'with a further change on top of the current one; keep what they did not ask to change.',
    '',
    ...(ctx.consumers?.length ? [describeRoundRepositories(ctx)] : []),
    ...listed,
    '',
    "## The pull request's current diff against the base",
    '```diff',
    shown,
    '```',
  ].join('\n');
}
