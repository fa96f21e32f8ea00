import { z } from 'zod';
import { TASK_STATUSES } from '../../domain/task.js';
import { DEP_TYPES, SKIP_REASONS, UPDATE_ECOSYSTEMS, UPDATE_TYPES } from '../../updates/types.js';
import { branchName } from './task.js';

export const scanUpdatesBody = z
  .object({
    repo: z.string().max(2048).min(1, 'expected a repository: a path, file:// URL, https:// or ssh URL'),
    base_branch: branchName.default('main'),
  })
  .strict();

export const updatesQuery = z.object({
  repo: z.string().max(2048).min(1, 'expected ?repo= naming a repository'),
});

const candidateView = z.object({
  ecosystem: z.enum(UPDATE_ECOSYSTEMS),
  name: z.string(),
  depType: z.enum(DEP_TYPES),
  from: z.string(),
  to: z.string(),
  type: z.enum(UPDATE_TYPES),
  fromRange: z.string(),
  toRange: z.string(),
  publishedAt: z.string().nullable(),
  ageDays: z.number().nullable(),
  manifest: z.string().optional(),
});

const skippedView = z.object({
  ecosystem: z.enum(UPDATE_ECOSYSTEMS),
  name: z.string(),
  from: z.string(),
  to: z.string(),
  reason: z.enum(SKIP_REASONS),
});

const groupView = z.object({
  key: z.string(),
  task_id: z.string(),
  status: z.enum(TASK_STATUSES),
  updates: z.array(candidateView),
});

export const scanResultView = z.object({
  repo: z.string(),
  base_branch: z.string(),
  created: z.array(groupView),
  open: z.array(groupView),
  held: z.array(z.string()),
  superseded: z.array(groupView),
  found: z.array(candidateView),
  skipped: z.array(skippedView),
});

export const repoUpdatesView = z.object({
  repo: z.string(),
  last_scan: z
    .object({
      base_branch: z.string(),
      scanned_at: z.string(),
      found: z.array(candidateView),
      skipped: z.array(skippedView),
      created: z.array(z.string()),
      error: z.object({ code: z.string(), message: z.string() }).nullable(),
    })
    .nullable(),
  groups: z.array(groupView),
});
