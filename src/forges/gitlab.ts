import { forgeNumberOf } from './forge-number.js';
import { Gitlab } from '@gitbeaker/rest';
import type { PullRequest } from '../domain/task.js';
import { isAutodevError } from '../errors.js';
import type { ForgeHttpOptions } from './forge-http.js';
import { postCommentOnce } from './comment-marker.js';
import { createUnlessRaced } from './create-unless-raced.js';
import { gitlabActivity } from './gitlab-activity.js';
import { createGitlabRequester } from './gitlab-requester.js';
import {
  gitlabApprovalsSchema,
  gitlabDiscussionSchema,
  gitlabMemberSchema,
  gitlabMergeRequestSchema,
  gitlabNoteSchema,
  gitlabWebhookSchema,
  type GitlabMergeRequest,
} from './gitlab-schema.js';
import { hostOf, locateOnForge } from './repo-coordinates.js';
import type { Forge, ForgeRepo, MergeMethod, MergeResult } from './types.js';
import { safeEqual, singleHeader } from './webhook-signature.js';

export interface GitlabForgeConfig {
  /** `[autodev.git] api_url`: a self-managed instance's base URL; absent: https://gitlab.com. */
  apiUrl: string | undefined;
  token: string | undefined;
  mergeMethod: MergeMethod;
}

export type GitlabForgeDeps = Pick<
  ForgeHttpOptions,
  'fetch' | 'sleep' | 'maxAttempts' | 'maxRateLimitWaitMs'
> & {
  /** How often, and how many times, a requested rebase is polled until GitLab finishes it. */
  rebasePollMs?: number;
  rebasePolls?: number;
};

const PAGES = { perPage: 100, maxPages: 20 } as const;
const MAX_WEBHOOK_BYTES = 5 * 1024 * 1024;
/** GitLab's Developer role (30) is the least that may push; Maintainer 40, Owner 50. */
const DEVELOPER_ACCESS = 30;
const ACCESS_NAMES: Record<number, string> = {
  5: 'minimal access',
  10: 'guest',
  15: 'planner',
  20: 'reporter',
  30: 'developer',
  40: 'maintainer',
  50: 'owner',
};

/** GitLab merge requests through @gitbeaker/rest, with autodev's own requester underneath. */
export function createGitlabForge(config: GitlabForgeConfig, deps: GitlabForgeDeps = {}): Forge {
  // `https://gitlab.example.com` or `.../api/v4`: gitbeaker adds `/api/v4` itself.
  const host = (config.apiUrl ?? 'https://gitlab.com').replace(/\/+$/, '').replace(/\/api\/v4$/, '');
  const token = config.token;
  const api = new Gitlab({
    host,
    token: token ?? '',
    requesterFn: createGitlabRequester({ forgeId: 'gitlab', ...deps, ...(token ? { token } : {}) }),
  });
  const sleep = deps.sleep ?? ((ms: number) => new Promise<void>((r) => setTimeout(r, ms)));
  const hosts = [hostOf(host)];
  const locate = (repo: string): ForgeRepo => locateOnForge(repo, { id: 'gitlab', hosts, nested: true });
  const project = (repo: string) => locate(repo).path;
  const showMr = async (pr: PullRequest) =>
    gitlabMergeRequestSchema.parse(
      await api.MergeRequests.show(project(pr.repo), forgeNumberOf(pr, 'GitLab')),
    );

  const toPullRequest = (mr: GitlabMergeRequest, input: { taskId: string; repo: string }): PullRequest => {
    const now = new Date().toISOString();
    return {
      task_id: input.taskId,
      forge: 'gitlab',
      repo: input.repo,
      branch: mr.source_branch,
      base_branch: mr.target_branch,
      number: mr.iid,
      url: mr.web_url,
      title: mr.title,
      status: mr.state === 'merged' ? 'merged' : mr.state === 'closed' ? 'closed' : 'open',
      head_commit: mr.sha ?? '',
      merge_commit: mr.state === 'merged' ? (mr.merge_commit_sha ?? mr.squash_commit_sha ?? null) : null,
      created_at: mr.created_at ?? now,
      updated_at: mr.updated_at ?? now,
    };
  };
  const merged = (mr: GitlabMergeRequest): MergeResult => ({
    merged: true,
    mergeCommit: mr.merge_commit_sha ?? mr.squash_commit_sha ?? mr.sha ?? '',
  });

  /** Rebases the source branch on the forge and waits for it; answers the new head, or why not. */
  const rebase = async (pr: PullRequest): Promise<{ sha: string } | { reason: string }> => {
    await api.MergeRequests.rebase(project(pr.repo), forgeNumberOf(pr, 'GitLab'));
    for (let poll = 0; poll < (deps.rebasePolls ?? 30); poll += 1) {
      const mr = gitlabMergeRequestSchema.parse(
        await api.MergeRequests.show(project(pr.repo), forgeNumberOf(pr, 'GitLab'), {
          includeRebaseInProgress: true,
        }),
      );
      if (!mr.rebase_in_progress) {
        if (mr.merge_error) return { reason: `gitlab could not rebase: ${mr.merge_error}` };
        return { sha: mr.sha ?? '' };
      }
      await sleep(deps.rebasePollMs ?? 1000);
    }
    return { reason: 'gitlab did not finish the rebase in time' };
  };

  return {
    id: 'gitlab',
    locate,
    gitAuth: () => (token ? { username: 'oauth2', password: token } : undefined),

    async ensurePullRequest(input) {
      const id = project(input.repo);
      const findOpen = async () =>
        gitlabMergeRequestSchema
          .array()
          .parse(
            await api.MergeRequests.all({
              projectId: id,
              state: 'opened',
              sourceBranch: input.branch,
              targetBranch: input.baseBranch,
              ...PAGES,
            }),
          )
          .at(0);
      const existing = await findOpen();
      const labels = input.labels ?? [];
      if (existing) {
        const missing = labels.filter((l) => !(existing.labels ?? []).includes(l));
        // Labels are added, never replaced: a human's own labels stay.
        if (missing.length > 0)
          await api.MergeRequests.edit(id, existing.iid, { addLabels: missing.join(',') });
        return toPullRequest(existing, input);
      }
      const created = await createUnlessRaced(
        async () =>
          gitlabMergeRequestSchema.parse(
            await api.MergeRequests.create(id, input.branch, input.baseBranch, input.title, {
              description: input.body,
              ...(labels.length > 0 ? { labels: labels.join(',') } : {}),
            }),
          ),
        findOpen,
        // GitLab answers 409 to a second merge request for the same source and target.
        (error) => isAutodevError(error, 'PR_NOT_MERGEABLE'),
      );
      return toPullRequest(created, input);
    },

    async updateBody(pr, body) {
      await api.MergeRequests.edit(project(pr.repo), forgeNumberOf(pr, 'GitLab'), { description: body });
    },

    async comment(pr, key, body) {
      const id = project(pr.repo);
      const iid = forgeNumberOf(pr, 'GitLab');
      await postCommentOnce(
        {
          bodies: async () =>
            gitlabNoteSchema
              .array()
              .parse(await api.MergeRequestNotes.all(id, iid, { ...PAGES }))
              .map((n) => n.body),
          post: async (text) => {
            await api.MergeRequestNotes.create(id, iid, text);
          },
        },
        key,
        body,
      );
    },

    async readActivity(pr) {
      const mr = await showMr(pr);
      const approvals = gitlabApprovalsSchema.parse(
        await api.MergeRequestApprovals.showConfiguration(project(pr.repo), {
          mergerequestIId: forgeNumberOf(pr, 'GitLab'),
        }),
      );
      const discussions = gitlabDiscussionSchema
        .array()
        .parse(
          await api.MergeRequestDiscussions.all(project(pr.repo), forgeNumberOf(pr, 'GitLab'), { ...PAGES }),
        );
      return gitlabActivity({
        mr,
        approvers: (approvals.approved_by ?? []).map((a) => a.user.username),
        discussions,
      });
    },

    async reviewerPermission(repo, login) {
      // Members with inherited ones (a group's members reach its projects), searched by the name:
      // the search matches parts of names too, so only the exact username is taken.
      const members = gitlabMemberSchema.array().parse(
        await api.ProjectMembers.all(project(repo), {
          includeInherited: true,
          query: login,
          perPage: 100,
          maxPages: 1,
        }),
      );
      const access = Math.max(
        0,
        ...members.filter((m) => m.username.toLowerCase() === login.toLowerCase()).map((m) => m.access_level),
      );
      const level = access === 0 ? 'not a member' : `${ACCESS_NAMES[access] ?? 'access'} (${access})`;
      return { canWrite: access >= DEVELOPER_ACCESS, level };
    },

    async merge({ pullRequest }) {
      const before = await showMr(pullRequest);
      if (before.state === 'merged') return merged(before);
      if (before.state !== 'opened')
        return { merged: false, reason: `merge request !${before.iid} is ${before.state}` };
      // The forge refuses when the head moved since autodev's checks ran on it (the `sha` guard).
      if (before.sha !== pullRequest.head_commit) {
        return {
          merged: false,
          reason: `merge request !${before.iid} head ${before.sha ?? '?'} is not the checked ${pullRequest.head_commit}`,
        };
      }
      let sha = pullRequest.head_commit;
      if (config.mergeMethod === 'rebase') {
        const rebased = await rebase(pullRequest);
        if ('reason' in rebased) return { merged: false, reason: rebased.reason };
        sha = rebased.sha;
      }
      try {
        const after = gitlabMergeRequestSchema.parse(
          await api.MergeRequests.merge(project(pullRequest.repo), forgeNumberOf(pullRequest, 'GitLab'), {
            sha,
            squash: config.mergeMethod === 'squash',
          }),
        );
        return after.state === 'merged' ? merged(after) : merged(await showMr(pullRequest));
      } catch (error) {
        // 405/406/409/422: GitLab's "cannot be merged" answers (conflict, SHA mismatch, not mergeable).
        const refused = isAutodevError(error, 'PR_NOT_MERGEABLE') || isAutodevError(error, 'FORGE_REJECTED');
        if (!refused) throw error;
        const now = await showMr(pullRequest);
        if (now.state === 'merged') return merged(now);
        return { merged: false, reason: `gitlab refused the merge: ${error.message}` };
      }
    },

    async close(pr) {
      const mr = await showMr(pr);
      if (mr.state !== 'opened') return;
      await api.MergeRequests.edit(project(pr.repo), forgeNumberOf(pr, 'GitLab'), { stateEvent: 'close' });
    },

    verifyWebhook(request, secret) {
      const given = singleHeader(request, 'x-gitlab-token');
      return Promise.resolve(secret !== '' && given !== undefined && safeEqual(given, secret));
    },

    webhookTarget(request) {
      const event = singleHeader(request, 'x-gitlab-event');
      if (event !== 'Merge Request Hook' && event !== 'Note Hook') return undefined;
      if (request.rawBody.length > MAX_WEBHOOK_BYTES) return undefined;
      let json: unknown;
      try {
        json = JSON.parse(request.rawBody.toString('utf8'));
      } catch {
        return undefined;
      }
      const payload = gitlabWebhookSchema.safeParse(json);
      if (!payload.success || !payload.data.project) return undefined;
      const attrs = payload.data.object_attributes;
      const isMr = event === 'Merge Request Hook';
      if (!isMr && attrs?.noteable_type !== 'MergeRequest') return undefined;
      const number = isMr ? attrs?.iid : payload.data.merge_request?.iid;
      if (number === undefined) return undefined;
      const branch = isMr ? attrs?.source_branch : payload.data.merge_request?.source_branch;
      const path = payload.data.project.path_with_namespace;
      const segments = path.split('/');
      return {
        repo: {
          repo: payload.data.project.web_url ?? path,
          path,
          owner: segments.slice(0, -1).join('/'),
          name: segments.at(-1) ?? '',
        },
        number,
        ...(branch ? { branch } : {}),
      };
    },
  };
}
