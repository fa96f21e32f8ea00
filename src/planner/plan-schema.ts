import { z } from 'zod';

/** Bounded text: a plan is read by people and put in prompts, so no field may grow without limit. */
const line = (max: number) => z.string().trim().min(1).max(max);

/** A repository path as the model guesses it: relative, no way out of the repository. */
const repoPath = line(300).refine(
  (value) => !value.startsWith('/') && !value.split(/[\\/]/).includes('..'),
  'expected a path relative to the repository root, without ".."',
);

export const planWorkStepSchema = z
  .object({
    goal: line(500),
    files: z.array(repoPath).max(20).default([]),
    checks: z.array(line(300)).max(10).default([]),
    /** A multi-repo task: the repository the step works in (checked against the task's names). */
    repo: line(100).optional(),
  })
  .strict();

/** What the planning model must answer: a summary and 1 to 12 steps. */
export const modelPlanSchema = z
  .object({
    summary: line(1000),
    steps: z.array(planWorkStepSchema).min(1).max(12),
  })
  .strict();

export type ModelPlan = z.infer<typeof modelPlanSchema>;

/** The shape shown to the model, written out so the prompt and the schema are read side by side. */
export const MODEL_PLAN_SHAPE = `{
  "summary": "one or two sentences: what will change and why",
  "steps": [
    {
      "goal": "what this step achieves",
      "files": ["relative/path/likely/involved.ext"],
      "checks": ["an observable check that shows the step is done, e.g. a test that passes"]
    }
  ]
}`;

/** The shape for a multi-repo task: each step names its repository. */
export const MODEL_PLAN_SHAPE_REPOS = MODEL_PLAN_SHAPE.replace(
  '"goal": "what this step achieves",',
  '"repo": "the name of the repository this step works in",\n      "goal": "what this step achieves",',
);

export type PlanParse = { ok: true; plan: ModelPlan } | { ok: false; errors: string[] };

/** Longest reply the planner reads; a plan is short. */
const MAX_REPLY_CHARS = 64 * 1024;

/**
 * The plan in a model's reply: the JSON object in a ```json fence, or the reply's outermost braces.
 * Errors name the field (`steps.0.goal`) and what was expected, for the model's second try.
 */
export function parseModelPlan(reply: string, repoNames: readonly string[] = []): PlanParse {
  if (reply.length > MAX_REPLY_CHARS) {
    return {
      ok: false,
      errors: [`the reply is ${reply.length} characters; a plan must fit in ${MAX_REPLY_CHARS}`],
    };
  }
  const text = jsonText(reply);
  if (text === undefined) return { ok: false, errors: ['the reply holds no JSON object'] };
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (error) {
    return {
      ok: false,
      errors: [`the JSON does not parse: ${error instanceof Error ? error.message : String(error)}`],
    };
  }
  const parsed = modelPlanSchema.safeParse(value);
  if (parsed.success) {
    const unknown = repoErrors(parsed.data, repoNames);
    return unknown.length === 0 ? { ok: true, plan: parsed.data } : { ok: false, errors: unknown };
  }
  return {
    ok: false,
    errors: parsed.error.issues.slice(0, 20).map((issue) => {
      const where = issue.path.length > 0 ? issue.path.join('.') : '(the object)';
      return `${where}: ${issue.message}`;
    }),
  };
}

/** A step's `repo` must be one of the task's repositories; a task of one repository takes none. */
function repoErrors(plan: ModelPlan, repoNames: readonly string[]): string[] {
  return plan.steps.flatMap((step, index) => {
    if (step.repo === undefined || repoNames.includes(step.repo)) return [];
    const expected =
      repoNames.length > 1
        ? `one of ${repoNames.map((n) => JSON.stringify(n)).join(', ')}`
        : 'no repo: this task has one repository';
    return [
      `steps.${index}.repo: ${JSON.stringify(step.repo)} is not a repository of this task; expected ${expected}`,
    ];
  });
}

/** Plain index scans rather than a regex: the reply is the model's, so no backtracking over it. */
function jsonText(reply: string): string | undefined {
  const open = reply.indexOf('```');
  if (open >= 0) {
    const bodyStart = reply.indexOf('\n', open);
    const close = bodyStart >= 0 ? reply.indexOf('```', bodyStart) : -1;
    if (close > bodyStart) return reply.slice(bodyStart + 1, close);
  }
  const start = reply.indexOf('{');
  const end = reply.lastIndexOf('}');
  return start >= 0 && end > start ? reply.slice(start, end + 1) : undefined;
}
