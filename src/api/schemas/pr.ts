import { z } from 'zod';
import { PR_REVIEW_KINDS, PR_STATUSES } from '../../domain/task.js';
import { pullRequestView, taskSummaryView } from './task.js';

// eslint-disable-next-line no-control-regex -- matching control characters is the point
const CONTROL_EXCEPT_NEWLINE_TAB = /[\u0000-\u0008\u000b-\u001f\u007f-\u009f\u2028\u2029]/;

/** Who acted: one short line, shown to operators and written to the audit trail. */
const reviewer = z
  .string()
  .trim()
  .min(1, 'expected the reviewer, a non-empty name')
  .max(200)
  // eslint-disable-next-line no-control-regex -- matching control characters is the point
  .regex(/^[^\u0000-\u001f\u007f-\u009f\u2028\u2029]+$/, {
    message: 'expected the reviewer as one line of text without control characters',
  });

export const reviewActionBody = z
  .object({
    /**
     * Kept for compatibility: the identity comes from the bearer token. Recorded beside an act of a
     * caller no token names (and ignored), never as an identity.
     */
    by: reviewer.optional(),
    comment: z
      .string()
      .max(20_000)
      .refine((s) => !CONTROL_EXCEPT_NEWLINE_TAB.test(s), {
        message: 'expected text without control characters (only newline and tab are allowed)',
      })
      .optional(),
  })
  .strict();

export const listPrsQuery = z
  .object({
    status: z.enum(PR_STATUSES).optional(),
    limit: z.coerce.number().int().min(1).max(200).default(50),
  })
  .strict();

export const prSummaryView = pullRequestView.extend({ task_id: z.string(), updated_at: z.string() });

/**
 * A row of GET /prs: every pull request of every task, with its repository's role (`library`: the
 * task's own, the only one of a task of one repository; a multi-repo task's `consumer`s and
 * `revert`s beside it).
 */
export const prListItemView = prSummaryView.extend({ role: z.enum(['library', 'consumer', 'revert']) });

export const prListView = z.object({ prs: z.array(prListItemView) });

export const prReviewView = z.object({
  id: z.number(),
  kind: z.enum(PR_REVIEW_KINDS),
  by: z.string(),
  comment: z.string().nullable(),
  created_at: z.string(),
});

export const prDetailView = z.object({
  pr: prSummaryView,
  task: taskSummaryView,
  reviews: z.array(prReviewView),
  approvals: z.number(),
  approvals_required: z.number(),
  /** Every pull request of the task (a multi-repo task's library, consumers and reverts). */
  pull_requests: z.array(
    prSummaryView.extend({
      role: z.enum(['library', 'consumer', 'revert']),
      approvals: z.number(),
    }),
  ),
  ignored: z.string().optional(),
});
