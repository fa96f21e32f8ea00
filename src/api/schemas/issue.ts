import { z } from 'zod';
import { branchName, multiLineText, singleLineText } from './task.js';

/** A forge login or user name: one short line with no spaces. */
const author = z
  .string()
  .trim()
  .min(1, 'expected the author, a non-empty name')
  .max(200)
  .regex(/^[^\s]+$/, 'expected the author as a name without spaces');

const label = z
  .string()
  .min(1)
  .max(50)
  .regex(/^[^\s,]+$/, 'expected a label without spaces or commas, such as autodev or risk:low');

export const createIssueBody = z
  .object({
    repo: z.string().max(2048).min(1, 'expected a repository: a path or file:// URL of a local repo'),
    title: singleLineText(500).trim().min(1, 'expected a non-empty title'),
    body: multiLineText(100_000).default(''),
    labels: z.array(label).max(50).default([]),
    /** Recorded as given only beside a caller no token names (marked `unverified:`). */
    author: author.default('anonymous'),
    /** The branch a task for the issue starts from. */
    base_branch: branchName.default('main'),
  })
  .strict();

export const issueCommentBody = z
  .object({
    body: multiLineText(20_000).min(1, 'expected a non-empty comment'),
    author: author.default('anonymous'),
  })
  .strict();

export const issueIdParams = z.object({ id: z.coerce.number().int().min(1).max(Number.MAX_SAFE_INTEGER) });

export const listIssuesQuery = z
  .object({
    repo: z.string().min(1, 'expected the repository whose issues to list').max(2048),
    limit: z.coerce.number().int().min(1).max(200).default(50),
  })
  .strict();

export const issueView = z.object({
  id: z.number(),
  repo: z.string(),
  base_branch: z.string(),
  title: z.string(),
  body: z.string(),
  labels: z.array(z.string()),
  author: z.string(),
  state: z.enum(['open', 'closed']),
  created_at: z.string(),
  updated_at: z.string(),
});

export const issueCommentView = z.object({
  id: z.number(),
  issue_id: z.number(),
  body: z.string(),
  author: z.string(),
  created_at: z.string(),
  updated_at: z.string(),
});

/** What the trigger intake made of the issue or comment. */
export const triggerView = z.object({
  outcome: z.enum([
    'ignored',
    'duplicate',
    'refused',
    'created',
    'added',
    'cancelled',
    'reverted',
    'rejected',
  ]),
  task_id: z.string().nullable(),
  reason: z.string().nullable(),
});

export const issueCreatedView = z.object({ issue: issueView, trigger: triggerView });
export const issueDetailView = z.object({ issue: issueView, comments: z.array(issueCommentView) });
export const issueListView = z.object({ issues: z.array(issueView) });
export const issueCommentCreatedView = z.object({ comment: issueCommentView, trigger: triggerView });
