import { z } from 'zod';
import type { Step } from '../../domain/task.js';

/** A step the task ran that did something: what the pull request's plan section lists. */
export interface StepRun {
  phase: string;
  tool: string;
  /** The step's round (`#n` of its key): the n-th of the plan's steps with this phase and tool. */
  round: number;
  summary: string | null;
}

const lintOutput = z.looseObject({ reports: z.array(z.looseObject({ available: z.boolean() })) });
const setupOutput = z.looseObject({ runs: z.array(z.unknown()) });

/**
 * Steps that ran and applied, in the order they ran. A step that had nothing to work on is not one a
 * reader should see as done: a lint step where no linter ran (the project has none, or it is not
 * installed; the checks table says which), a setup step with nothing to install.
 */
export function stepsThatApplied(steps: readonly Step[]): StepRun[] {
  return [...steps]
    .sort((a, b) => a.seq - b.seq)
    .filter((step) => step.status === 'succeeded' && applied(step))
    .map((step) => ({
      phase: step.phase,
      tool: step.tool,
      round: Number(/#(\d+)$/.exec(step.key)?.[1] ?? 1),
      summary: step.output_summary,
    }));
}

function applied(step: Step): boolean {
  if (step.tool === 'lint' || step.tool === 'clippy') {
    const out = lintOutput.safeParse(step.output);
    return !out.success || out.data.reports.some((r) => r.available);
  }
  if (step.tool === 'setup') {
    const out = setupOutput.safeParse(step.output);
    return !out.success || out.data.runs.length > 0;
  }
  return true;
}
