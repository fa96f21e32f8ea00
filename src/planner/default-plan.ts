import type { Plan, PlanPhase, PlanStep, PlanWorkStep, TaskInput } from '../domain/task.js';
import { PHASE_TABLE, type PhaseRow } from '../orchestrator/phase-table.js';
import { defaultRepoWorkSteps, repoSummary, stepsWithRepos, type PlanningRepo } from './plan-repos.js';

/** What a plan is made for: the task, and a multi-repo task's repositories (absent for one). */
type PlannedTask = Pick<TaskInput, 'title' | 'risk_tier'> & { repos?: readonly PlanningRepo[] };

/**
 * The plan every task follows when no model plans it: the phase table's phases with the tools each
 * calls. It is stored with the task so the user sees what will happen before it does.
 */
export function defaultPlan(task: PlannedTask, maxRepairRounds: number, fallbackReason?: string): Plan {
  const repos = task.repos ?? [];
  return {
    source: 'default',
    summary: `Fix "${task.title}": reproduce with the tests, edit with the model, test, repair up to ${maxRepairRounds} time(s), decide by policy, deliver a pull request${task.risk_tier === 'low' ? ' and merge it if policy allows' : ' for human review'}.${repoSummary(repos)}`,
    steps: stepsWithRepos(tableSteps(), repos),
    // A multi-repo task's work, repository by repository, though no model planned it.
    phases: tablePhases(defaultRepoWorkSteps(repos)),
    checks: [],
    ...(fallbackReason !== undefined ? { fallback_reason: fallbackReason } : {}),
  };
}

/**
 * The plan of a revert task: mechanical (`git revert` of the reverted task's merge, then the same
 * tests, checks and policy as any change), so no model is asked for it.
 */
export function revertPlan(task: Pick<TaskInput, 'title' | 'risk_tier'>, revertedId: string): Plan {
  return {
    source: 'default',
    summary: `${task.title}: git revert of the merge of task ${revertedId} on the base as it is now, test, decide by policy, deliver a pull request${task.risk_tier === 'low' ? ' and merge it if policy allows' : ' for human review'}. No model is called.`,
    steps: tableSteps(),
    phases: tablePhases([]),
    checks: [],
  };
}

/**
 * The plan of a dependency update: the manifest and lockfile changed mechanically, then the same
 * tests, checks and policy as any change; the model only repairs what the update breaks.
 */
export function updatePlan(
  task: Pick<TaskInput, 'title' | 'risk_tier'>,
  repair: boolean,
  maxRepairRounds: number,
): Plan {
  const repairs = repair
    ? `, and when tests fail, up to ${String(maxRepairRounds)} repair round(s) by the model`
    : ', failing tests left for review (repair = false)';
  return {
    source: 'default',
    summary: `${task.title}: change the manifest versions and regenerate the lockfile without a model, test${repairs}, decide by policy, deliver a pull request${task.risk_tier === 'low' ? ' and merge it if policy allows' : ' for human review'}.`,
    steps: tableSteps(),
    phases: tablePhases([]),
    checks: [],
  };
}

/** A plan whose implement phase carries the model's steps and whose checks are theirs. */
export function planFromWork(
  summary: string,
  workSteps: PlanWorkStep[],
  repos: readonly PlanningRepo[] = [],
): Plan {
  return {
    source: 'model',
    summary,
    steps: stepsWithRepos(tableSteps(), repos),
    phases: tablePhases(workSteps),
    checks: [...new Set(workSteps.flatMap((step) => step.checks))],
  };
}

function tableSteps(table: readonly PhaseRow[] = PHASE_TABLE): PlanStep[] {
  return table.flatMap((row) =>
    row.tools.map((tool) => ({ phase: row.phase, tool: tool.tool, description: tool.description })),
  );
}

function tablePhases(workSteps: PlanWorkStep[]): PlanPhase[] {
  return PHASE_TABLE.map((row) => ({
    id: row.id,
    title: row.title,
    tools: row.tools.map((tool) => tool.tool),
    ...(row.id === 'implement' && workSteps.length > 0 ? { work_steps: workSteps } : {}),
  }));
}
