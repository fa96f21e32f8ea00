import { z } from 'zod';

/** The parts of Gitea's (and Forgejo's) API answers autodev reads; anything else is ignored. */
const user = z.object({ login: z.string() });

export const giteaPullSchema = z.object({
  number: z.number().int(),
  html_url: z.string(),
  title: z.string(),
  state: z.enum(['open', 'closed']),
  merged: z.boolean().nullish(),
  merge_commit_sha: z.string().nullish(),
  head: z.object({ ref: z.string(), sha: z.string() }),
  base: z.object({ ref: z.string() }),
  user: user.nullish(),
  created_at: z.string().nullish(),
  updated_at: z.string().nullish(),
});
export type GiteaPull = z.infer<typeof giteaPullSchema>;

export const giteaLabelSchema = z.object({ id: z.number().int(), name: z.string() });

export const giteaCommentSchema = z.object({
  id: z.number().int(),
  body: z.string(),
  user: user.nullish(),
  created_at: z.string(),
});

export const giteaReviewSchema = z.object({
  id: z.number().int(),
  state: z.string(),
  body: z.string(),
  user: user.nullish(),
  commit_id: z.string().nullish(),
  submitted_at: z.string().nullish(),
  comments_count: z.number().int().nullish(),
  dismissed: z.boolean().nullish(),
});

export const giteaReviewCommentSchema = z.object({
  id: z.number().int(),
  body: z.string(),
  user: user.nullish(),
  path: z.string().nullish(),
  position: z.number().int().nullish(),
  original_position: z.number().int().nullish(),
  commit_id: z.string().nullish(),
  created_at: z.string(),
});

/** A webhook payload, only as a hint of which pull request it concerns. */
export const giteaWebhookSchema = z.object({
  repository: z.object({ full_name: z.string(), html_url: z.string().optional() }).optional(),
  pull_request: z
    .object({ number: z.number().int(), head: z.object({ ref: z.string() }).optional() })
    .nullish(),
  issue: z.object({ number: z.number().int(), pull_request: z.object({}).passthrough().nullish() }).nullish(),
});

/** GET /repos/{owner}/{repo}/collaborators/{collaborator}/permission: `none`, `read`, `write`, `admin`, `owner`. */
export const giteaPermissionSchema = z.object({ permission: z.string(), role_name: z.string().nullish() });
