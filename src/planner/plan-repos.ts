import type { PlanStep, PlanWorkStep, TaskRepoRole } from '../domain/task.js';

/**
 * A repository of a multi-repo task as the planner sees it: the name the model's tools and the step
 * keys know it by (multirepo/task-workspaces.ts repoNames), its role, where it lives.
 */
export interface PlanningRepo {
  name: string;
  role: TaskRepoRole;
  repo: string;
  base_branch: string;
}

/** The repositories as the planning model reads them, library first. */
export function describeReposForPlanning(repos: readonly PlanningRepo[]): string {
  const lines = repos.map((r) => `- ${r.name} (${r.role}): ${r.repo}, base branch ${r.base_branch}`);
  return [
    `## Repositories\nThis task spans ${repos.length} repositories. The library is changed first; each consumer is built and tested against the changed library and adapted where it needs it. Give each step the \`repo\` it works in (one of the names below).`,
    ...lines,
  ].join('\n');
}

/**
 * The default plan's work for a multi-repo task (no model plans it): the library's change, then each
 * consumer adapted where it needs it, then each consumer tested against the changed library.
 */
export function defaultRepoWorkSteps(repos: readonly PlanningRepo[]): PlanWorkStep[] {
  const [library, ...consumers] = repos;
  if (library === undefined) return [];
  return [
    {
      goal: `Implement the change in the library ${library.name}.`,
      files: [],
      checks: [],
      repo: library.name,
    },
    ...consumers.map((c) => ({
      goal: `Adapt the consumer ${c.name} to the changed library ${library.name} where it needs it.`,
      files: [],
      checks: [],
      repo: c.name,
    })),
  ];
}

/** The summary's sentence on the repositories: what changes where and how the consumers are tested. */
export function repoSummary(repos: readonly PlanningRepo[]): string {
  const [library, ...consumers] = repos;
  if (library === undefined) return '';
  const names = consumers.map((c) => c.name).join(', ');
  return ` Implement in ${library.name}, then adapt ${names} where needed; test each consumer (${names}) built against the changed ${library.name}, and open a pull request in each changed repository.`;
}

/**
 * The phase table's steps with the repositories named where a step runs in each of them: a clone,
 * setup and baseline per repository, the model's change across them, each consumer's linked test.
 */
export function stepsWithRepos(steps: readonly PlanStep[], repos: readonly PlanningRepo[]): PlanStep[] {
  const [library, ...consumers] = repos;
  if (library === undefined || consumers.length === 0) return [...steps];
  const all = repos.map((r) => r.name).join(', ');
  const users = consumers.map((c) => c.name).join(', ');
  return steps.map((step) => {
    const extra = repoNote(step, library.name, users, all);
    return extra === undefined ? step : { ...step, description: `${step.description} ${extra}` };
  });
}

function repoNote(step: PlanStep, library: string, users: string, all: string): string | undefined {
  switch (`${step.phase}.${step.tool}`) {
    case 'prepare.git_clone':
    case 'prepare.file_list':
    case 'setup.setup':
    case 'prepare.test':
    case 'prepare.lint':
      return `For each repository: ${all}.`;
    case 'implement.codegen':
      return `In ${library} first, then adapt ${users}.`;
    case 'implement.git_apply':
      return `In each repository the model changed (${all}).`;
    case 'verify.test':
    case 'repair.test':
      return `${library}'s tests, then each consumer's (${users}) built against the changed ${library}.`;
    case 'verify.lint':
    case 'verify.secrets_scan':
    case 'verify.check_deps':
    case 'verify.check_constraints':
      return `In each changed repository (${all}).`;
    case 'deliver.git_push':
      // The second push is the library's replay onto a moved base: a consumer's base is not replayed.
      return step.description.startsWith('Push the task branch')
        ? `In each changed repository, ${library} first.`
        : undefined;
    case 'deliver.git_pr':
      return `In each changed repository, ${library} first.`;
    case 'deliver.pr_merge':
      return `${library} first, then ${users}; if one cannot merge, none stays merged.`;
    default:
      return undefined;
  }
}
