import { z } from 'zod';

/** The parts of GitLab's API answers autodev reads; anything else is ignored. */
const user = z.object({ username: z.string() });

export const gitlabMergeRequestSchema = z.object({
  iid: z.number().int(),
  title: z.string(),
  web_url: z.string(),
  state: z.enum(['opened', 'closed', 'merged', 'locked']),
  source_branch: z.string(),
  target_branch: z.string(),
  sha: z.string().nullish(),
  merge_commit_sha: z.string().nullish(),
  squash_commit_sha: z.string().nullish(),
  labels: z.array(z.string()).nullish(),
  rebase_in_progress: z.boolean().nullish(),
  merge_error: z.string().nullish(),
  author: user.nullish(),
  created_at: z.string().nullish(),
  updated_at: z.string().nullish(),
});
export type GitlabMergeRequest = z.infer<typeof gitlabMergeRequestSchema>;

export const gitlabApprovalsSchema = z.object({
  approved_by: z.array(z.object({ user })).nullish(),
});

export const gitlabNoteSchema = z.object({
  id: z.number().int(),
  type: z.string().nullish(),
  body: z.string(),
  author: user,
  created_at: z.string(),
  system: z.boolean(),
  resolvable: z.boolean().nullish(),
  resolved: z.boolean().nullish(),
  position: z
    .object({
      new_path: z.string().nullish(),
      new_line: z.number().int().nullish(),
      head_sha: z.string().nullish(),
    })
    .nullish(),
});
export type GitlabNote = z.infer<typeof gitlabNoteSchema>;

export const gitlabDiscussionSchema = z.object({
  id: z.string(),
  notes: z.array(gitlabNoteSchema),
});

/** A webhook payload, only as a hint of which merge request it concerns. */
export const gitlabWebhookSchema = z.object({
  object_kind: z.string().optional(),
  project: z.object({ path_with_namespace: z.string(), web_url: z.string().optional() }).optional(),
  object_attributes: z
    .object({
      iid: z.number().int().optional(),
      source_branch: z.string().optional(),
      noteable_type: z.string().optional(),
    })
    .optional(),
  merge_request: z.object({ iid: z.number().int(), source_branch: z.string().optional() }).nullish(),
});

/** A project member (GET /projects/:id/members/all, direct and inherited): `access_level` 30+ may push. */
export const gitlabMemberSchema = z.object({ username: z.string(), access_level: z.number().int() });
