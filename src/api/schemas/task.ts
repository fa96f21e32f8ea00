import { z } from 'zod';
import { RISK_TIERS } from '../../config/schema.js';
import { CONSTRAINT_KINDS } from '../../policy/constraints.js';
import {
  EVENT_TYPES,
  MAX_TASK_REPOS,
  PHASES,
  PR_STATUSES,
  STEP_STATUSES,
  TASK_REPO_ROLES,
  TASK_STATUSES,
} from '../../domain/task.js';

/** A git branch name as `git check-ref-format --branch` would accept it (conservatively). */
export const branchName = z
  .string()
  .min(1)
  .max(200)
  .regex(
    /^(?!-)(?!.*\.\.)(?!.*\/\/)(?!.*@\{)(?!.*\.lock$)(?!.*[./]$)(?!\/)[A-Za-z0-9._/-]+$/,
    'expected a branch name such as "main" (letters, digits, . _ / -; no "..", no leading "-")',
  );

const text = (max: number) => z.string().max(max);

/*
 * Control characters end up in commit messages, branch names, prompts and terminals: a NUL makes the
 * commit fail only at the end of the task, an escape sequence rewrites what an operator sees. Text
 * fields may hold newlines and tabs; a title is one line.
 */
// eslint-disable-next-line no-control-regex -- matching control characters is the point
const CONTROL_EXCEPT_NEWLINE_TAB = /[\u0000-\u0008\u000b-\u001f\u007f-\u009f\u2028\u2029]/;
// eslint-disable-next-line no-control-regex -- matching control characters is the point
const CONTROL_EXCEPT_TAB = /[\u0000-\u0008\u000a-\u001f\u007f-\u009f\u2028\u2029]/;

/** Text of several lines: no control characters but newline and tab. */
export const multiLineText = (max: number) =>
  text(max).refine((s) => !CONTROL_EXCEPT_NEWLINE_TAB.test(s), {
    message: 'expected text without control characters (only newline and tab are allowed)',
  });

/** One line of text: no control characters but tab. */
export const singleLineText = (max: number) =>
  text(max).refine((s) => !CONTROL_EXCEPT_TAB.test(s), {
    message: 'expected one line of text without control characters (no newline, NUL or escape)',
  });

const repoText = text(2048).min(1, 'expected a repository: a path, file:// URL, https:// or ssh URL');

/** One repository of a multi-repo task: where it is, the branch to change, its part. */
export const taskRepoBody = z
  .object({
    repo: repoText,
    base_branch: branchName.default('main'),
    role: z.enum(TASK_REPO_ROLES),
  })
  .strict();

export const createTaskBody = z
  .object({
    title: singleLineText(500).trim().min(1, 'expected a non-empty title'),
    description: multiLineText(100_000).default(''),
    /** One repository; or `repos` for several (exactly one of the two). */
    repo: repoText.optional(),
    base_branch: branchName.optional(),
    repos: z.array(taskRepoBody).min(1).max(MAX_TASK_REPOS).optional(),
    risk_tier: z.enum(RISK_TIERS).optional(),
    constraints: z.array(multiLineText(2000)).max(100).default([]),
    acceptance: z.array(multiLineText(2000)).max(100).default([]),
  })
  .strict()
  // Runs even when other fields failed, so a body missing both title and repo hears of both.
  .check(z.superRefine(checkRepoFields, { when: () => true }));

/** `repo` or `repos`, never both; `repos` has exactly one library and names each repository once. */
function checkRepoFields(body: unknown, ctx: z.RefinementCtx): void {
  if (typeof body !== 'object' || body === null) return;
  const repo = 'repo' in body ? body.repo : undefined;
  const repos = 'repos' in body ? body.repos : undefined;
  const baseBranch = 'base_branch' in body ? body.base_branch : undefined;
  if (repo === undefined && repos === undefined) {
    ctx.addIssue({
      code: 'custom',
      path: ['repo'],
      message:
        'expected a repository: a path, file:// URL, https:// or ssh URL (or repos, a list of {repo, base_branch, role})',
    });
    return;
  }
  if (repos === undefined) return;
  if (repo !== undefined) {
    ctx.addIssue({
      code: 'custom',
      path: ['repos'],
      message: 'give either repo (one repository) or repos (several), not both',
    });
  }
  if (baseBranch !== undefined) {
    ctx.addIssue({
      code: 'custom',
      path: ['base_branch'],
      message: 'with repos, each entry names its own base_branch',
    });
  }
  // An empty list is the array's own minimum, said once.
  if (!Array.isArray(repos) || repos.length === 0) return;
  const roles = repos.map((entry: unknown) =>
    typeof entry === 'object' && entry !== null && 'role' in entry ? entry.role : undefined,
  );
  const libraries = roles.filter((role) => role === 'library').length;
  if (libraries !== 1) {
    ctx.addIssue({
      code: 'custom',
      path: ['repos'],
      message: `expected exactly one entry with role "library" (the repository changed first), found ${libraries}`,
    });
  }
  const seen = new Map<unknown, number>();
  repos.forEach((entry: unknown, index) => {
    const name = typeof entry === 'object' && entry !== null && 'repo' in entry ? entry.repo : undefined;
    if (typeof name !== 'string') return;
    const earlier = seen.get(name);
    if (earlier !== undefined) {
      ctx.addIssue({
        code: 'custom',
        path: ['repos', index, 'repo'],
        message: `the same repository as repos.${earlier}.repo: list each repository once`,
      });
    } else seen.set(name, index);
  });
}

export const taskIdParams = z.object({ id: z.string().min(1).max(64) });

export const listTasksQuery = z
  .object({
    status: z.enum(TASK_STATUSES).optional(),
    repo: z.string().max(2048).optional(),
    risk_tier: z.enum(RISK_TIERS).optional(),
    cursor: z.string().max(64).optional(),
    limit: z.coerce.number().int().min(1).max(200).default(50),
  })
  .strict();

export const eventsQuery = z
  .object({
    after: z.coerce.number().int().min(0).default(0),
    stream: z.enum(['true', 'false']).optional(),
  })
  .strict();

export const logsQuery = z
  .object({
    after: z.coerce.number().int().min(0).default(0),
    limit: z.coerce.number().int().min(1).max(1000).default(200),
  })
  .strict();

const errorObject = z.object({ code: z.string(), message: z.string() });

export const planSchema = z.object({
  source: z.enum(['default', 'model']),
  summary: z.string(),
  steps: z.array(z.object({ phase: z.enum(PHASES), tool: z.string(), description: z.string() })),
  /** The phase table's phases; implement lists the model's work steps (src/orchestrator/phase-table.ts). */
  phases: z
    .array(
      z.object({
        id: z.string(),
        title: z.string(),
        tools: z.array(z.string()),
        work_steps: z
          .array(
            z.object({
              goal: z.string(),
              files: z.array(z.string()),
              checks: z.array(z.string()),
              /** A multi-repo task: the repository the step works in. */
              repo: z.string().optional(),
            }),
          )
          .optional(),
      }),
    )
    .optional(),
  /** The plan's checks; they join the acceptance criteria marked "(plan)". */
  checks: z.array(z.string()).optional(),
  /** Why the default plan was used (planning off, the model's plan invalid twice). */
  fallback_reason: z.string().optional(),
});

export const stepView = z.object({
  key: z.string(),
  seq: z.number(),
  phase: z.enum(PHASES),
  tool: z.string(),
  status: z.enum(STEP_STATUSES),
  attempts: z.number(),
  input_summary: z.string(),
  output_summary: z.string().nullable(),
  error: errorObject.nullable(),
  started_at: z.string(),
  finished_at: z.string().nullable(),
  duration_ms: z.number().nullable(),
});

export const pullRequestView = z.object({
  forge: z.string(),
  repo: z.string(),
  branch: z.string(),
  base_branch: z.string(),
  number: z.number().nullable(),
  url: z.string().nullable(),
  title: z.string(),
  status: z.enum(PR_STATUSES),
  head_commit: z.string(),
  merge_commit: z.string().nullable(),
  created_at: z.string(),
});

export const taskSummaryView = z.object({
  id: z.string(),
  title: z.string(),
  repo: z.string(),
  base_branch: z.string(),
  risk_tier: z.enum(RISK_TIERS),
  status: z.enum(TASK_STATUSES),
  branch: z.string().nullable(),
  error: errorObject.nullable(),
  created_at: z.string(),
  updated_at: z.string(),
  finished_at: z.string().nullable(),
  /** On a revert task: the task whose merge it reverts. */
  reverts_task_id: z.string().nullable(),
});

export const taskView = taskSummaryView.extend({
  description: z.string(),
  /** Every repository of the task, the library first; a task of one repository lists it alone. */
  repos: z.array(z.object({ repo: z.string(), base_branch: z.string(), role: z.enum(TASK_REPO_ROLES) })),
  constraints: z.array(z.string()),
  /** Each constraint's kind and outcome: `violated` null when not checked (unrecognised or not reached). */
  constraints_checked: z.array(
    z.object({
      text: z.string(),
      kind: z.enum(CONSTRAINT_KINDS),
      violated: z.boolean().nullable(),
      details: z.array(z.string()),
    }),
  ),
  acceptance: z.array(z.string()),
  plan: planSchema.nullable(),
  /** The task's model calls so far: tokens (cached input is part of input) and list-price dollars. */
  cost: z.object({
    input_tokens: z.number(),
    output_tokens: z.number(),
    cached_input_tokens: z.number(),
    usd: z.number(),
  }),
  attempt: z.number(),
  cancel_requested: z.boolean(),
  started_at: z.string().nullable(),
  steps: z.array(stepView),
  pr: pullRequestView.nullable(),
  /**
   * Every pull request of the task, its own (the library's, `pr`) first: a multi-repo task's changed
   * consumers' follow, and the revert of the library when a consumer's merge failed after it.
   */
  pull_requests: z.array(pullRequestView.extend({ role: z.enum(['library', 'consumer', 'revert']) })),
});

export const taskListView = z.object({ tasks: z.array(taskSummaryView), next_cursor: z.string().nullable() });

export const eventView = z.object({
  id: z.number(),
  type: z.enum(EVENT_TYPES),
  data: z.record(z.string(), z.unknown()),
  created_at: z.string(),
});
export const eventListView = z.object({ events: z.array(eventView) });

export const logListView = z.object({
  logs: z.array(
    z.object({
      id: z.number(),
      step_key: z.string(),
      stream: z.enum(['stdout', 'stderr']),
      content: z.string(),
      created_at: z.string(),
    }),
  ),
});

export const errorView = z.object({
  error: z.object({ code: z.string(), message: z.string(), details: z.unknown().optional() }),
});
