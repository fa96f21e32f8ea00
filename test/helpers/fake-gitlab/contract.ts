import { z } from 'zod';

/**
 * What the fake GitLab accepts per route: parameters as GitLab's REST docs (v4, merge requests, notes,
 * discussions, approvals, project members, projects, issues, resource label events) name them, strict so a misspelt or unknown one is a violation. GitLab
 * publishes no complete machine-readable description of these endpoints in a package registry (its
 * doc/api/openapi/openapi_v2.yaml covers other resources and ships in no registry), so this is our
 * transcription, not GitLab's own file.
 */
const paging = {
  page: z.coerce.number().int().min(1).optional(),
  per_page: z.coerce.number().int().min(1).max(100).optional(),
};

export const GITLAB_CONTRACT: Record<string, { query?: z.ZodType; body?: z.ZodType; path: RegExp }> = {
  'GET merge_requests': {
    path: /^merge_requests$/,
    query: z.strictObject({
      state: z.enum(['opened', 'closed', 'locked', 'merged', 'all']).optional(),
      source_branch: z.string().optional(),
      target_branch: z.string().optional(),
      updated_after: z.iso.datetime({ offset: true }).optional(),
      order_by: z.enum(['created_at', 'updated_at', 'title', 'merged_at']).optional(),
      sort: z.enum(['asc', 'desc']).optional(),
      pagination: z.literal('offset').optional(),
      ...paging,
    }),
  },
  'POST merge_requests': {
    path: /^merge_requests$/,
    body: z.strictObject({
      source_branch: z.string().min(1),
      target_branch: z.string().min(1),
      title: z.string().min(1),
      description: z.string().max(1_048_576).optional(),
      labels: z.string().optional(),
      remove_source_branch: z.boolean().optional(),
      squash: z.boolean().optional(),
    }),
  },
  'GET merge_request': {
    path: /^merge_requests\/\d+$/,
    query: z.strictObject({ include_rebase_in_progress: z.enum(['true', 'false']).optional() }),
  },
  'PUT merge_request': {
    path: /^merge_requests\/\d+$/,
    body: z.strictObject({
      description: z.string().max(1_048_576).optional(),
      add_labels: z.string().optional(),
      state_event: z.enum(['close', 'reopen']).optional(),
      title: z.string().optional(),
    }),
  },
  'PUT merge': {
    path: /^merge_requests\/\d+\/merge$/,
    body: z.strictObject({
      sha: z.string().optional(),
      squash: z.boolean().optional(),
      should_remove_source_branch: z.boolean().optional(),
    }),
  },
  'PUT rebase': {
    path: /^merge_requests\/\d+\/rebase$/,
    body: z.strictObject({ skip_ci: z.boolean().optional() }),
  },
  'GET approvals': { path: /^merge_requests\/\d+\/approvals$/, query: z.strictObject({}) },
  'GET notes': {
    path: /^merge_requests\/\d+\/notes$/,
    query: z.strictObject({
      sort: z.enum(['asc', 'desc']).optional(),
      order_by: z.enum(['created_at', 'updated_at']).optional(),
      pagination: z.literal('offset').optional(),
      ...paging,
    }),
  },
  'POST notes': {
    path: /^merge_requests\/\d+\/notes$/,
    body: z.strictObject({ body: z.string().min(1).max(1_000_000) }),
  },
  // Project members, inherited ones included (GET /projects/:id/members/all).
  'GET members': {
    path: /^members\/all$/,
    query: z.strictObject({
      query: z.string().optional(),
      user_ids: z.string().optional(),
      state: z.enum(['awaiting', 'active']).optional(),
      show_seat_info: z.enum(['true', 'false']).optional(),
      pagination: z.literal('offset').optional(),
      ...paging,
    }),
  },
  // Notes on an issue (GitLab's REST docs, "Notes": POST and PUT /projects/:id/issues/:issue_iid/notes).
  'POST issue notes': {
    path: /^issues\/\d+\/notes$/,
    body: z.strictObject({
      body: z.string().min(1).max(1_000_000),
      internal: z.boolean().optional(),
      created_at: z.string().optional(),
    }),
  },
  'PUT issue note': {
    path: /^issues\/\d+\/notes\/\d+$/,
    body: z.strictObject({ body: z.string().min(1).max(1_000_000) }),
  },
  // A project (GitLab's REST docs, "Projects": GET /projects/:id).
  'GET project': {
    path: /^$/,
    query: z.strictObject({
      statistics: z.enum(['true', 'false']).optional(),
      license: z.enum(['true', 'false']).optional(),
      with_custom_attributes: z.enum(['true', 'false']).optional(),
    }),
  },
  // A project's issues (GitLab's REST docs, "Issues": GET /projects/:id/issues).
  'GET issues': {
    path: /^issues$/,
    query: z.strictObject({
      updated_after: z.iso.datetime({ offset: true }).optional(),
      updated_before: z.iso.datetime({ offset: true }).optional(),
      created_after: z.iso.datetime({ offset: true }).optional(),
      order_by: z
        .enum([
          'created_at',
          'updated_at',
          'priority',
          'due_date',
          'relative_position',
          'label_priority',
          'milestone_due',
          'popularity',
          'weight',
          'title',
        ])
        .optional(),
      sort: z.enum(['asc', 'desc']).optional(),
      state: z.enum(['opened', 'closed', 'all']).optional(),
      labels: z.string().optional(),
      assignee_username: z.string().optional(),
      with_labels_details: z.enum(['true', 'false']).optional(),
      pagination: z.literal('offset').optional(),
      ...paging,
    }),
  },
  // Notes on an issue (GitLab's REST docs, "Notes": GET /projects/:id/issues/:issue_iid/notes).
  'GET issue notes': {
    path: /^issues\/\d+\/notes$/,
    query: z.strictObject({
      sort: z.enum(['asc', 'desc']).optional(),
      order_by: z.enum(['created_at', 'updated_at']).optional(),
      activity_filter: z.enum(['all_notes', 'only_comments', 'only_activity']).optional(),
      pagination: z.literal('offset').optional(),
      ...paging,
    }),
  },
  // Who added or removed a label (GitLab's REST docs, "Resource label events").
  'GET issue label events': {
    path: /^issues\/\d+\/resource_label_events$/,
    query: z.strictObject({ pagination: z.literal('offset').optional(), ...paging }),
  },
  'GET discussions': {
    path: /^merge_requests\/\d+\/discussions$/,
    query: z.strictObject({ pagination: z.literal('offset').optional(), ...paging }),
  },
};

export function routeOf(method: string, rest: string): string | undefined {
  return Object.keys(GITLAB_CONTRACT).find((key) => {
    const [m] = key.split(' ');
    return m === method && GITLAB_CONTRACT[key]?.path.test(rest);
  });
}
