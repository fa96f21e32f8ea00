import { AutodevError } from '../errors.js';
import type { Phase } from '../domain/task.js';

/** One tool call of a phase, with what it is for (the text the plan shows). */
export interface PhaseTool {
  tool: string;
  description: string;
}

/** A row of the phase table: a stage of the task, the step phase its calls are recorded under, its tools. */
export interface PhaseRow {
  /** Unique within the table; the plan's phase id. */
  id: string;
  /** The step phase (the step key's prefix); several rows may share one (prepare before and after setup). */
  phase: Phase;
  title: string;
  tools: readonly PhaseTool[];
  /** Runs again and again (repair rounds): its tools may go back to its first. */
  repeats?: boolean;
}

/**
 * The phases a task runs and the plan it shows, in order: the default plan is built from this table,
 * and run-task checks every step it runs against it (createPhaseCursor), so the two cannot drift apart.
 * A new step is one line here; a step missing here fails the task with PLAN_DRIFT.
 */
export const PHASE_TABLE: readonly PhaseRow[] = [
  {
    id: 'plan',
    phase: 'plan',
    title: 'Plan the work',
    tools: [{ tool: 'plan', description: 'Turn the task into steps with the files and checks of each.' }],
  },
  {
    id: 'prepare',
    phase: 'prepare',
    title: 'Prepare the workspace',
    tools: [
      {
        tool: 'git_clone',
        description: 'Fetch the repository mirror and create the task worktree and branch.',
      },
      { tool: 'file_list', description: 'List the repository files for the model.' },
    ],
  },
  {
    id: 'setup',
    phase: 'setup',
    title: 'Install dependencies',
    tools: [{ tool: 'setup', description: 'Install dependencies when the project declares them.' }],
  },
  {
    id: 'baseline',
    phase: 'prepare',
    title: 'Run the tests and linters before any change',
    tools: [
      { tool: 'test', description: 'Run the tests before any change, to see what fails.' },
      { tool: 'lint', description: 'Lint the untouched base, so only new warnings count.' },
    ],
  },
  {
    id: 'implement',
    phase: 'implement',
    title: 'Implement the change',
    tools: [
      { tool: 'codegen', description: 'Ask the model for the change, following the plan.' },
      { tool: 'git_apply', description: 'Commit the change on the task branch.' },
      {
        tool: 'git_revert',
        description: 'A revert task only: revert the merged change instead of asking the model.',
      },
      {
        tool: 'dependency_update',
        description:
          'A dependency update only: change the manifest versions and regenerate the lockfile, without a model.',
      },
      {
        tool: 'setup',
        description:
          'A dependency update of an ecosystem whose packages live outside the workspace (a Python virtualenv): install the new versions for the tests.',
      },
    ],
  },
  {
    id: 'verify',
    phase: 'verify',
    title: 'Test the change',
    tools: [{ tool: 'test', description: 'Run the tests in the sandbox, without network.' }],
  },
  {
    id: 'repair',
    phase: 'repair',
    title: 'Repair while the tests fail',
    repeats: true,
    tools: [
      { tool: 'codegen', description: 'Give the failing output back to the model.' },
      { tool: 'git_apply', description: 'Commit the repair.' },
      { tool: 'test', description: 'Run the tests again.' },
    ],
  },
  {
    id: 'checks',
    phase: 'verify',
    title: 'Check the change',
    tools: [
      { tool: 'lint', description: 'Static analysis; warnings in the changed files count for policy.' },
      {
        tool: 'secrets_scan',
        description: 'Scan the commits for secrets; a secret stops the task before any push.',
      },
      { tool: 'check_deps', description: 'Check the dependencies the change adds.' },
      { tool: 'check_constraints', description: "Check the task's constraints against the change." },
    ],
  },
  {
    id: 'perf',
    phase: 'verify',
    title: 'Compare performance with the base',
    tools: [
      {
        tool: 'bench',
        description:
          "Run the repository's [bench] on base and change, interleaved; a significant slowdown is for policy.",
      },
    ],
  },
  {
    id: 'decide',
    phase: 'decide',
    title: 'Decide by policy',
    tools: [{ tool: 'policy', description: 'Decide by policy whether the change may merge itself.' }],
  },
  {
    id: 'deliver',
    phase: 'deliver',
    title: 'Deliver the pull request',
    tools: [
      { tool: 'git_push', description: 'Push the task branch.' },
      { tool: 'git_pr', description: 'Open the pull request.' },
      {
        tool: 'git_rebase',
        description: 'Before a merge: replay the change onto the base branch if it moved.',
      },
      { tool: 'test', description: 'When the base moved: run the tests again on it.' },
      { tool: 'git_push', description: 'When the base moved: push the replayed change.' },
      { tool: 'pr_merge', description: 'Merge it when policy allows (low risk only).' },
    ],
  },
  {
    id: 'revert-merged',
    phase: 'deliver',
    title: 'Revert the merged repositories when a later merge fails',
    tools: [
      {
        tool: 'git_revert',
        description:
          "A multi-repo task only, when a consumer's merge fails: revert each merged repository's change.",
      },
      { tool: 'git_push', description: 'Push the revert branch.' },
      { tool: 'git_pr', description: 'Open the revert pull request.' },
      { tool: 'pr_merge', description: 'Merge the revert.' },
    ],
  },
];

/** Where a step stands in the table. */
interface Position {
  row: number;
  tool: number;
}

export interface PhaseCursor {
  /**
   * Checks that this step comes at or after the last one in table order; throws PLAN_DRIFT if not.
   * `inRowAgain`: a multi-repo task's consumer step, which repeats the row the library's steps just
   * ran (its checks after the library's), so it may go back to any tool of the current row.
   */
  advance(phase: Phase, tool: string, inRowAgain?: boolean): void;
}

/**
 * Follows one run of a task through the table. A step may repeat (same position), move forward, or go
 * back to the start of a repeating row (the next repair round); anything else is drift between the plan
 * shown and the work done, which is a bug of ours, never retried.
 */
export function createPhaseCursor(table: readonly PhaseRow[] = PHASE_TABLE): PhaseCursor {
  let at: Position = { row: 0, tool: 0 };
  return {
    advance(phase, tool, inRowAgain = false) {
      const next =
        findFrom(table, at, phase, tool) ??
        findInRepeatingRow(table, at, phase, tool) ??
        (inRowAgain ? findInRow(table, at, phase, tool) : undefined);
      if (next === undefined) {
        const where = table[at.row];
        throw new AutodevError(
          'PLAN_DRIFT',
          `step ${phase}.${tool} is not in the phase table after ${where ? `${where.id}.${where.tools[at.tool]?.tool ?? '?'}` : 'the start'}: ` +
            'add it to src/orchestrator/phase-table.ts where it runs',
        );
      }
      at = next;
    },
  };
}

function findFrom(
  table: readonly PhaseRow[],
  from: Position,
  phase: Phase,
  tool: string,
): Position | undefined {
  for (let row = from.row; row < table.length; row += 1) {
    const entry = table[row];
    if (entry?.phase !== phase) continue;
    const start = row === from.row ? from.tool : 0;
    const index = entry.tools.findIndex((t, i) => i >= start && t.tool === tool);
    if (index >= 0) return { row, tool: index };
  }
  return undefined;
}

function findInRepeatingRow(
  table: readonly PhaseRow[],
  from: Position,
  phase: Phase,
  tool: string,
): Position | undefined {
  return table[from.row]?.repeats ? findInRow(table, from, phase, tool) : undefined;
}

function findInRow(
  table: readonly PhaseRow[],
  from: Position,
  phase: Phase,
  tool: string,
): Position | undefined {
  const entry = table[from.row];
  if (entry?.phase !== phase) return undefined;
  const index = entry.tools.findIndex((t) => t.tool === tool);
  return index >= 0 ? { row: from.row, tool: index } : undefined;
}
