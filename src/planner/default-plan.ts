import type { Plan, TaskInput } from '../domain/task.js';

/**
 * The plan every task follows when no model planner is configured: the phases of ARCHITECTURE.md with
 * the tools each calls. It is stored with the task so the user sees what will happen before it does.
 */
export function defaultPlan(task: Pick<TaskInput, 'title' | 'risk_tier'>, maxRepairRounds: number): Plan {
  return {
    source: 'default',
    summary: `Fix "${task.title}": reproduce with the tests, edit with the model, test, repair up to ${maxRepairRounds} time(s), decide by policy, deliver a pull request${task.risk_tier === 'low' ? ' and merge it if policy allows' : ' for human review'}.`,
    steps: [
      {
        phase: 'prepare',
        tool: 'git_clone',
        description: 'Fetch the repository mirror and create the task worktree and branch.',
      },
      { phase: 'prepare', tool: 'file_list', description: 'List the repository files for the model.' },
      { phase: 'setup', tool: 'setup', description: 'Install dependencies when the project declares them.' },
      { phase: 'prepare', tool: 'test', description: 'Run the tests before any change, to see what fails.' },
      { phase: 'implement', tool: 'codegen', description: 'Ask the model for the change.' },
      {
        phase: 'implement',
        tool: 'git_apply',
        description: 'Apply the change and commit it on the task branch.',
      },
      { phase: 'verify', tool: 'test', description: 'Run the tests in the sandbox, without network.' },
      {
        phase: 'repair',
        tool: 'codegen',
        description: `On failure, give the output back to the model (up to ${maxRepairRounds} rounds).`,
      },
      {
        phase: 'verify',
        tool: 'lint',
        description: 'Static analysis; warnings in the changed files count for policy.',
      },
      {
        phase: 'verify',
        tool: 'secrets_scan',
        description: 'Scan the commits for secrets; a secret stops the task before any push.',
      },
      {
        phase: 'decide',
        tool: 'policy_local',
        description: 'Decide by policy whether the change may merge itself.',
      },
      { phase: 'deliver', tool: 'git_push', description: 'Push the task branch.' },
      { phase: 'deliver', tool: 'git_pr', description: 'Open the pull request.' },
      { phase: 'deliver', tool: 'pr_merge', description: 'Merge it when policy allows (low risk only).' },
    ],
  };
}
