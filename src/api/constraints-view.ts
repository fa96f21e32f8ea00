import { z } from 'zod';
import type { Step, Task } from '../domain/task.js';
import { CONSTRAINT_KINDS, classifyConstraint, type ConstraintCheck } from '../policy/constraints.js';

const storedChecks = z.object({
  constraints: z.array(
    z.object({
      text: z.string(),
      kind: z.enum(CONSTRAINT_KINDS),
      violated: z.boolean().optional(),
      details: z.array(z.string()).optional(),
    }),
  ),
});

/**
 * Each constraint of the task with its kind and, once check_constraints ran, whether it was violated
 * (`null`: not checked, either unrecognised or not yet reached). Read from the step's checkpoint.
 */
export function toConstraintsView(task: Task, steps: readonly Step[]) {
  const step = steps.findLast((s) => s.tool === 'check_constraints' && s.status === 'succeeded');
  const parsed = step ? storedChecks.safeParse(step.output) : undefined;
  const checks: ConstraintCheck[] = parsed?.success
    ? parsed.data.constraints
    : task.constraints.map((text) => ({ text, kind: classifyConstraint(text) }));
  return checks.map((c) => ({
    text: c.text,
    kind: c.kind,
    violated: c.violated ?? null,
    details: c.details ?? [],
  }));
}
