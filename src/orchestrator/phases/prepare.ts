import type { LintReport } from '../../languages/types.js';
import { warmRepoMap } from '../../repomap/index.js';
import type { LintToolOutput } from '../../tools/lint-tools.js';
import type { TestToolOutput } from '../../tools/test.js';
import { runStep, stepKey, type StepRequest } from '../step-runner.js';
import { CODEGEN_FILES } from './implement.js';
import { setupPhase } from './setup.js';
import {
  baselineConsumers,
  cloneConsumers,
  inConsumer,
  listConsumers,
  setupConsumers,
} from './prepare-consumers.js';
import type { TaskContext } from '../task-context.js';

export interface PreparedWorkspace {
  dir: string;
  branch: string;
  baseCommit: string;
  files: string[];
  baseline: TestToolOutput;
  /** The linters' findings before any change; undefined when none could be taken (see baselineLint). */
  lintBaseline: LintReport[] | undefined;
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
  const multiRepo = task.repos.length > 1;
  if (multiRepo) await cloneConsumers(ctx, branch);
  const listing = await runStep<{ files: string[] }>(ctx, { phase: 'prepare', tool: 'file_list', input: {} });
  if (multiRepo) await listConsumers(ctx);
  warmRepoMapAhead(ctx, listing.files);
  await setupPhase(ctx);
  if (multiRepo) await setupConsumers(ctx);
  const baseline = await runStep<TestToolOutput>(ctx, {
    phase: 'prepare',
    tool: 'test',
    input: { config_commit: clone.base_commit },
  });
  if (multiRepo) await baselineConsumers(ctx);
  const lintBaseline = await baselineLint(ctx, clone.base_commit, ctx.workspaceDir);
  for (const consumer of ctx.consumers ?? []) {
    const reports = await baselineLint(ctx, consumer.baseCommit, consumer.dir, inConsumer(consumer));
    if (reports !== undefined) consumer.lintBaseline = reports;
  }
  return {
    dir: clone.dir,
    branch: clone.branch,
    baseCommit: clone.base_commit,
    files: listing.files,
    baseline,
    lintBaseline,
  };
}

/**
 * The coding step opens with the repository map (codegen, round 1): its parsing starts now, in the
 * background, while setup and the baseline tests run in the sandbox, instead of on the task's path
 * after them. Not awaited and never failing the task: the map parses whatever this did not.
 */
function warmRepoMapAhead(ctx: TaskContext, files: string[]): void {
  if (ctx.config.llm.repo_map_tokens <= 0 || ctx.task.reverts_task_id) return;
  const started = performance.now();
  // The same files, in the same order, as implementRound gives the codegen step.
  warmRepoMap({
    workspaceDir: ctx.workspaceDir,
    files: files.slice(0, CODEGEN_FILES),
    signal: ctx.signal,
  }).then(
    (parsed) =>
      ctx.log.debug({ parsed, ms: Math.round(performance.now() - started) }, 'repository map warmed'),
    (error: unknown) =>
      ctx.log.debug({ err: error }, 'repository map warm-up stopped; the map parses itself'),
  );
}

/**
 * The linters on the untouched base, with the base's own configuration: what they find here is not
 * the change's doing. Taken now, while the worktree is the base commit, rather than by putting base
 * files back after the change: nothing is swapped in the worktree, so no crash can leave it half
 * reverted, and the checkpoint keeps it for a resumed task. A task resumed past its change without
 * this checkpoint (one that began before the step existed) gets no baseline: all its warnings in the
 * changed files count, as before. A consumer's base is linted the same way, in its own worktree.
 */
async function baselineLint(
  ctx: TaskContext,
  baseCommit: string,
  dir: string,
  /** A multi-repo task's consumer: its own worktree and step key (`prepare.lint@<name>#1`). */
  repo?: StepRequest['repo'],
): Promise<LintReport[] | undefined> {
  const request: StepRequest = {
    phase: 'prepare',
    tool: 'lint',
    input: { config_commit: baseCommit },
    ...(repo ? { repo } : {}),
  };
  const done = (await ctx.store.steps.get(ctx.task.id, stepKey(request)))?.status === 'succeeded';
  // Only a resumed task can have moved past the base: a first run's worktree was just made at it,
  // and asking git (a process, 50-250 ms under load) would sit between two steps on every task.
  if (!done && ctx.task.attempt > 1 && (await ctx.services.git.head(dir)) !== baseCommit) return undefined;
  return (await runStep<LintToolOutput>(ctx, request)).reports;
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
