import { forgeNumberOf } from './forge-number.js';
import type { PullRequest } from '../domain/task.js';
import { AutodevError, isAutodevError } from '../errors.js';
import type { ForgeHttpOptions } from './forge-http.js';
import { createGiteaClient } from './gitea-client.js';
import { readGiteaActivity } from './gitea-activity.js';
import {
  giteaCommentSchema,
  giteaLabelSchema,
  giteaPermissionSchema,
  giteaPullSchema,
  giteaWebhookSchema,
  type GiteaPull,
} from './gitea-schema.js';
import { postCommentOnce } from './comment-marker.js';
import { createUnlessRaced } from './create-unless-raced.js';
import { hostOf, locateOnForge } from './repo-coordinates.js';
import type { Forge, ForgeRepo, MergeMethod } from './types.js';
import { isHmacSha256Hex, singleHeader } from './webhook-signature.js';

export interface GiteaForgeConfig {
  /** `[autodev.git] api_url`: Gitea has no public default instance, so it is required. */
  apiUrl: string | undefined;
  token: string | undefined;
  mergeMethod: MergeMethod;
}

export type GiteaForgeDeps = Pick<ForgeHttpOptions, 'fetch' | 'sleep' | 'maxAttempts' | 'maxRateLimitWaitMs'>;

const WEBHOOK_EVENTS = new Set([
  'pull_request',
  'pull_request_review_approved',
  'pull_request_review_rejected',
  'pull_request_review_comment',
  'pull_request_comment',
  'issue_comment',
]);
const MAX_WEBHOOK_BYTES = 5 * 1024 * 1024;
/** Gitea's permission levels that may push to the repo (`none` and `read` may not). */
const WRITE_LEVELS = new Set(['write', 'admin', 'owner']);

/** Gitea and Forgejo (same API v1): pull requests, reviews, labels by id, merges with a head guard. */
export function createGiteaForge(config: GiteaForgeConfig, deps: GiteaForgeDeps = {}): Forge {
  if (!config.apiUrl) {
    throw new AutodevError(
      'CONFIG_INVALID',
      '[autodev.git] api_url is required for provider "gitea": the base URL of the Gitea or Forgejo instance, e.g. https://gitea.example.com',
      { details: { key: 'autodev.git.api_url' } },
    );
  }
  const apiUrl = config.apiUrl;
  const token = config.token;
  const api = createGiteaClient(apiUrl, { forgeId: 'gitea', ...deps, ...(token ? { token } : {}) });
  const hosts = [hostOf(apiUrl)];
  const locate = (repo: string): ForgeRepo => locateOnForge(repo, { id: 'gitea', hosts, nested: false });
  const repoPath = (repo: string) => {
    const { owner, name } = locate(repo);
    return `/repos/${encodeURIComponent(owner)}/${encodeURIComponent(name)}`;
  };
  const prPath = (pr: PullRequest) => `${repoPath(pr.repo)}/pulls/${forgeNumberOf(pr, 'Gitea')}`;

  const labelIds = async (repo: string, names: string[]): Promise<number[]> => {
    if (names.length === 0) return [];
    const existing = await api.list(`${repoPath(repo)}/labels`, giteaLabelSchema);
    const ids: number[] = [];
    for (const name of names) {
      const found = existing.find((l) => l.name === name);
      if (found) ids.push(found.id);
      else {
        const made = await api.send(
          'POST',
          `${repoPath(repo)}/labels`,
          { name, color: '#5319e7' },
          giteaLabelSchema,
        );
        ids.push(made.id);
      }
    }
    return ids;
  };

  const toPullRequest = (pull: GiteaPull, input: { taskId: string; repo: string }): PullRequest => {
    const now = new Date().toISOString();
    return {
      task_id: input.taskId,
      forge: 'gitea',
      repo: input.repo,
      branch: pull.head.ref,
      base_branch: pull.base.ref,
      number: pull.number,
      url: pull.html_url,
      title: pull.title,
      status: pull.merged ? 'merged' : pull.state,
      head_commit: pull.head.sha,
      merge_commit: pull.merged ? (pull.merge_commit_sha ?? null) : null,
      created_at: pull.created_at ?? now,
      updated_at: pull.updated_at ?? now,
    };
  };

  return {
    id: 'gitea',
    locate,
    gitAuth: () => (token ? { username: 'autodev', password: token } : undefined),

    async ensurePullRequest(input) {
      const path = repoPath(input.repo);
      const findOpen = async () =>
        (await api.list(`${path}/pulls`, giteaPullSchema, { state: 'open' })).find(
          (p) => p.head.ref === input.branch && p.base.ref === input.baseBranch,
        );
      const existing = await findOpen();
      const labels = await labelIds(input.repo, input.labels ?? []);
      if (existing) {
        // Labels are added, never replaced: a human's own labels stay.
        if (labels.length > 0) {
          await api.send(
            'POST',
            `${path}/issues/${existing.number}/labels`,
            { labels },
            giteaLabelSchema.array(),
          );
        }
        return toPullRequest(existing, input);
      }
      const created = await createUnlessRaced(
        () =>
          api.send(
            'POST',
            `${path}/pulls`,
            { head: input.branch, base: input.baseBranch, title: input.title, body: input.body, labels },
            giteaPullSchema,
          ),
        findOpen,
        // Gitea answers 409 to a second pull request for the same head and base.
        (error) => isAutodevError(error, 'PR_NOT_MERGEABLE'),
      );
      return toPullRequest(created, input);
    },

    async updateBody(pr, body) {
      await api.send('PATCH', prPath(pr), { body }, giteaPullSchema);
    },

    async comment(pr, key, body) {
      const path = `${repoPath(pr.repo)}/issues/${forgeNumberOf(pr, 'Gitea')}/comments`;
      await postCommentOnce(
        {
          // Issue comments are unpaged in Gitea's API (only since/before filters).
          bodies: async () => (await api.get(path, giteaCommentSchema.array())).map((c) => c.body),
          post: async (text) => {
            await api.send('POST', path, { body: text }, giteaCommentSchema);
          },
        },
        key,
        body,
      );
    },

    readActivity: (pr) => readGiteaActivity(api, repoPath(pr.repo), forgeNumberOf(pr, 'Gitea')),

    async reviewerPermission(repo, login) {
      const { permission, role_name } = await api.get(
        `${repoPath(repo)}/collaborators/${encodeURIComponent(login)}/permission`,
        giteaPermissionSchema,
      );
      return { canWrite: WRITE_LEVELS.has(permission), level: role_name || permission };
    },

    async merge({ pullRequest }) {
      const path = prPath(pullRequest);
      const before = await api.get(path, giteaPullSchema);
      if (before.merged) return { merged: true, mergeCommit: before.merge_commit_sha ?? before.head.sha };
      if (before.state === 'closed')
        return { merged: false, reason: `pull request #${before.number} is closed` };
      try {
        await api.sendNoContent('POST', `${path}/merge`, {
          do: config.mergeMethod,
          // Gitea's swagger names it `do` (Go's JSON decoding also takes `Do`); the forge refuses when
          // the head moved since autodev's checks ran on it.
          head_commit_id: pullRequest.head_commit,
        });
      } catch (error) {
        if (!isAutodevError(error, 'PR_NOT_MERGEABLE')) throw error;
        const now = await api.get(path, giteaPullSchema);
        if (now.merged) return { merged: true, mergeCommit: now.merge_commit_sha ?? now.head.sha };
        return { merged: false, reason: `gitea refused the merge: ${error.message}` };
      }
      const after = await api.get(path, giteaPullSchema);
      return { merged: true, mergeCommit: after.merge_commit_sha ?? after.head.sha };
    },

    async close(pr) {
      const current = await api.get(prPath(pr), giteaPullSchema);
      if (current.state === 'closed') return;
      await api.send('PATCH', prPath(pr), { state: 'closed' }, giteaPullSchema);
    },

    verifyWebhook(request, secret) {
      const signature =
        singleHeader(request, 'x-gitea-signature') ?? singleHeader(request, 'x-forgejo-signature');
      return Promise.resolve(isHmacSha256Hex(request.rawBody, secret, signature));
    },

    webhookTarget(request) {
      const event = singleHeader(request, 'x-gitea-event') ?? singleHeader(request, 'x-forgejo-event');
      if (!event || !WEBHOOK_EVENTS.has(event) || request.rawBody.length > MAX_WEBHOOK_BYTES)
        return undefined;
      let json: unknown;
      try {
        json = JSON.parse(request.rawBody.toString('utf8'));
      } catch {
        return undefined;
      }
      const payload = giteaWebhookSchema.safeParse(json);
      if (!payload.success || !payload.data.repository) return undefined;
      const number =
        payload.data.pull_request?.number ??
        (payload.data.issue?.pull_request ? payload.data.issue.number : undefined);
      if (number === undefined) return undefined;
      const [owner = '', name = ''] = payload.data.repository.full_name.split('/');
      const branch = payload.data.pull_request?.head?.ref;
      return {
        repo: {
          repo: payload.data.repository.html_url ?? payload.data.repository.full_name,
          path: `${owner}/${name}`,
          owner,
          name,
        },
        number,
        ...(branch ? { branch } : {}),
      };
    },
  };
}
