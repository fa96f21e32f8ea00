import type { CodegenOutput } from '../../tools/codegen.js';
import type { TestToolOutput } from '../../tools/test.js';
import { describePlanForModel } from '../../planner/describe-plan.js';
import { runStep } from '../step-runner.js';
import type { TaskContext } from '../task-context.js';

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
      description: task.description,
      constraints: task.constraints,
      acceptance: task.acceptance,
      plan: describePlanForModel(task.plan),
      from_commit: options.fromCommit,
      files: options.files.slice(0, CODEGEN_FILES),
      test_feedback: options.lastTests.ok ? undefined : options.lastTests.feedback,
      round: options.round,
    },
  });
  const applied = await runStep<{ commit: string; files: string[] }>(ctx, {
    phase,
    tool: 'git_apply',
    round: options.round,
    input: {
      change_commit: generated.change_commit,
      from_commit: options.fromCommit,
      message: commitMessage(task.title, task.id, options.round),
      commit_date: task.created_at,
    },
  });
  return { commit: applied.commit, files: applied.files };
}

function commitMessage(title: string, taskId: string, round: number): string {
  const subject = round === 1 ? title : `${title} (repair round ${round - 1})`;
  return `${subject}\n\nAutodev-Task: ${taskId}`;
}
