import type { Phase } from '../../domain/task.js';
import type { CodegenOutput } from '../../tools/codegen.js';
import type { TestToolOutput } from '../../tools/test.js';
import { describePlanForModel } from '../../planner/describe-plan.js';
import { runStep } from '../step-runner.js';
import { repoTargetsOf, type TaskContext } from '../task-context.js';
import { inConsumer } from './prepare-consumers.js';

/** How many of the workspace's files the coding step is given (its repository map reads them). */
export const CODEGEN_FILES = 2000;

export interface Change {
  commit: string;
  files: string[];
}

/**
 * One round of editing: the model makes a change on top of `fromCommit` (seeing the failing test
 * output), and git_apply commits that exact change (never the redacted patch text of the checkpoint). Round 1 is the implement phase, later rounds the repair phase.
 */
export async function implementRound(
  ctx: TaskContext,
  options: { round: number; fromCommit: string; files: string[]; lastTests: TestToolOutput },
): Promise<Change> {
  const phase = options.round === 1 ? 'implement' : 'repair';
  const { task } = ctx;
  const generated = await runStep<CodegenOutput>(ctx, {
    phase,
    tool: 'codegen',
    round: options.round,
    input: {
      title: task.title,
      description: task.description + describeRepositories(ctx),
      constraints: task.constraints,
      acceptance: task.acceptance,
      plan: describePlanForModel(task.plan),
      from_commit: options.fromCommit,
      ...multiRepoInput(ctx),
      files: options.files.slice(0, CODEGEN_FILES),
      test_feedback: options.lastTests.ok ? undefined : options.lastTests.feedback,
      round: options.round,
    },
  });
  const message = commitMessage(task.title, task.id, options.round);
  // A multi-repo round may leave the library as it was and change only a consumer.
  const applied =
    generated.files.length === 0 && generated.repo_changes !== undefined
      ? { commit: options.fromCommit, files: [] }
      : await runStep<{ commit: string; files: string[] }>(ctx, {
          phase,
          tool: 'git_apply',
          round: options.round,
          input: {
            change_commit: generated.change_commit,
            from_commit: options.fromCommit,
            message,
            commit_date: task.created_at,
          },
        });
  await applyConsumerChanges(ctx, { phase, round: options.round }, generated, {
    message,
    commitDate: task.created_at,
  });
  return { commit: applied.commit, files: applied.files };
}

/**
 * Each consumer's part of a round's change committed on its branch (`git_apply@<name>`), on top of
 * where its round started; its `head` moves there. Returns the names of the consumers it changed.
 */
export async function applyConsumerChanges(
  ctx: TaskContext,
  at: { phase: Phase; round: number },
  generated: CodegenOutput,
  commit: { message: string; commitDate: string },
): Promise<string[]> {
  const changed: string[] = [];
  for (const change of generated.repo_changes ?? []) {
    const consumer = ctx.consumers?.find((c) => c.name === change.repo);
    if (!consumer) continue;
    const done = await runStep<{ commit: string; files: string[] }>(ctx, {
      ...at,
      tool: 'git_apply',
      repo: inConsumer(consumer),
      input: {
        change_commit: change.change_commit,
        from_commit: consumer.head ?? consumer.baseCommit,
        message: commit.message,
        commit_date: commit.commitDate,
      },
    });
    consumer.head = done.commit;
    changed.push(consumer.name);
  }
  return changed;
}

/** A multi-repo task's consumers and where their round starts; nothing for a task of one repository. */
export function multiRepoInput(ctx: TaskContext): {
  repo_from_commits?: { repo: string; from_commit: string }[];
} {
  if (!ctx.consumers?.length) return {};
  return {
    repo_from_commits: ctx.consumers.map((c) => ({ repo: c.name, from_commit: c.head ?? c.baseCommit })),
  };
}

/**
 * What the model is told of a multi-repo task's repositories: their names for the tools' `repo`
 * parameter, their roles, and each consumer's files (the library's are the task's file list).
 */
export function describeRepositories(ctx: TaskContext): string {
  if (!ctx.consumers?.length) return '';
  const targets = repoTargetsOf(ctx);
  const lines = targets.map((t) => `- ${t.name} (${t.role})`);
  const files = ctx.consumers.map(
    (c) => `Files of ${c.name}:\n${c.files.slice(0, CONSUMER_FILES_SHOWN).join('\n')}`,
  );
  return (
    `\n\nThis task spans ${targets.length} repositories; change the library first, then each consumer ` +
    `that needs it. Every file, search and command tool takes \`repo\` (one of the names below; ` +
    `${targets[0]?.name ?? 'the library'} when omitted). The consumers are built and tested against ` +
    `the changed library.\n${lines.join('\n')}\n\n${files.join('\n\n')}`
  );
}

/** How many of a consumer's files the model is shown in the task's description. */
const CONSUMER_FILES_SHOWN = 500;

function commitMessage(title: string, taskId: string, round: number): string {
  const subject = round === 1 ? title : `${title} (repair round ${round - 1})`;
  return `${subject}\n\nAutodev-Task: ${taskId}`;
}
