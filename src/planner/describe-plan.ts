import type { Plan } from '../domain/task.js';

/**
 * The plan as the coding model reads it: the summary and the implement phase's steps, each with its
 * files and checks. Empty for a default plan (it says nothing the task text does not).
 */
export function describePlanForModel(plan: Plan | null | undefined): string {
  const work = plan?.phases?.find((phase) => phase.id === 'implement')?.work_steps ?? [];
  if (!plan || plan.source !== 'model' || work.length === 0) return '';
  const steps = work.map((step, index) => {
    const lines = [`${index + 1}. ${step.repo === undefined ? '' : `[${step.repo}] `}${step.goal}`];
    if (step.files.length > 0) lines.push(`   Files: ${step.files.join(', ')}`);
    for (const check of step.checks) lines.push(`   Check: ${check}`);
    return lines.join('\n');
  });
  return `## Plan\n${plan.summary}\n\n${steps.join('\n')}`;
}
