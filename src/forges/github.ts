import { forgeNumberOf } from './forge-number.js';
import type { AutodevConfig } from '../config/schema.js';
import type { PullRequest } from '../domain/task.js';
import { isAutodevError } from '../errors.js';
import {
  createGithubClient,
  DEFAULT_GITHUB_TIMING,
  GITHUB_API_URL,
  type GithubClientOptions,
  type GithubClientTiming,
} from './github-client.js';
import { toForgeError } from './github-errors.js';
import { readGithubActivity } from './github-activity.js';
import { commentMarker, isAutodevComment } from './github-markers.js';
import { createUnlessRaced } from './create-unless-raced.js';
import { githubWebhookTarget, verifyGithubSignature } from './github-webhooks.js';
import { hostOf, locateOnForge } from './repo-coordinates.js';
import type { Forge, ForgeRepo } from './types.js';

/** The git_pr tool records the opened pull request in the store, for every forge. */
export interface GithubForgeDeps {
  /** Shorter waits for tests; production keeps GitHub's recommended ones. */
  timing?: Partial<GithubClientTiming>;
  onRateLimitWait?: GithubClientOptions['onRateLimitWait'];
}

/** GitHub's limit on a pull request body or comment is 65536 characters. */
const MAX_BODY_CHARS = 65_000;
/** Pages of 100 read at most per list (reviews, comments): 2000 items bound a hostile thread. */
const MAX_PAGES = 20;

/**
 * github.com, or GitHub Enterprise through `[autodev.git] api_url` (`https://host/api/v3`). Repos are
 * accepted on github.com for the public API, else on the api_url's host.
 */
export function createGithubForge(config: AutodevConfig, deps: GithubForgeDeps = {}): Forge {
  const baseUrl = config.git.api_url ?? GITHUB_API_URL;
  const token = config.secrets.forgeToken;
  const apiHost = hostOf(baseUrl);
  const hosts = apiHost === 'api.github.com' ? ['github.com'] : [apiHost];
  const api = createGithubClient({
    baseUrl,
    token,
    timing: { ...DEFAULT_GITHUB_TIMING, ...deps.timing },
    onRateLimitWait: deps.onRateLimitWait,
  });
  const locate = (repo: string): ForgeRepo => locateOnForge(repo, { id: 'github', hosts, nested: false });

  /** Runs one API call, turning its failure into FORGE_* naming the operation and the repo. */
  const call = async <T>(operation: string, repo: ForgeRepo, run: () => Promise<T>): Promise<T> => {
    try {
      return await run();
    } catch (error) {
      throw toForgeError(error, { operation, repo: repo.path, secrets: [token] });
    }
  };
  const coordinates = (pr: PullRequest) => {
    const repo = locate(pr.repo);
    return { repo, params: { owner: repo.owner, repo: repo.name, pull_number: forgeNumberOf(pr, 'GitHub') } };
  };

  return {
    id: 'github',
    locate,
    gitAuth: () => (token ? { username: 'x-access-token', password: token } : undefined),

    async ensurePullRequest(input) {
      const repo = locate(input.repo);
      const owner = { owner: repo.owner, repo: repo.name };
      const findOpen = () =>
        call('find open pull request', repo, async () => {
          const { data } = await api.rest.pulls.list({
            ...owner,
            state: 'open',
            head: `${repo.owner}:${input.branch}`,
            base: input.baseBranch,
            per_page: 1,
          });
          return data[0] && openedShape(data[0]);
        });
      const found =
        (await findOpen()) ??
        (await createUnlessRaced(
          () =>
            call('open pull request', repo, async () => {
              const { data } = await api.rest.pulls.create({
                ...owner,
                head: input.branch,
                base: input.baseBranch,
                title: input.title.slice(0, 256),
                body: truncateBody(input.body),
              });
              return openedShape(data);
            }),
          findOpen,
          // GitHub answers 422 to a second pull request for the same head and base.
          (error) => isAutodevError(error, 'FORGE_REJECTED'),
        ));
      const number = found.number;
      if (input.labels && input.labels.length > 0) {
        const labels = input.labels;
        await call('label pull request', repo, () =>
          api.rest.issues.addLabels({ ...owner, issue_number: number, labels }),
        );
      }
      return {
        task_id: input.taskId,
        forge: 'github',
        repo: input.repo,
        branch: input.branch,
        base_branch: input.baseBranch,
        number,
        url: found.html_url,
        title: found.title,
        status: 'open',
        head_commit: found.head.sha,
        merge_commit: null,
        created_at: found.created_at,
        updated_at: found.updated_at,
      };
    },

    async updateBody(pr, body) {
      const { repo, params } = coordinates(pr);
      await call('update pull request body', repo, () =>
        api.rest.pulls.update({ ...params, body: truncateBody(body) }),
      );
    },

    async comment(pr, key, body) {
      const { repo, params } = coordinates(pr);
      const marker = commentMarker(key);
      const issue = { owner: params.owner, repo: params.repo, issue_number: params.pull_number };
      const existing = await call('list comments', repo, () =>
        api.paginate(api.rest.issues.listComments, { ...issue, per_page: 100 }, (response, done) => {
          if (response.data.some((c) => c.body?.includes(marker))) done();
          return response.data.filter((c) => c.body?.includes(marker));
        }),
      );
      if (existing.length > 0) return;
      await call('comment', repo, () =>
        api.rest.issues.createComment({ ...issue, body: `${truncateBody(body)}\n\n${marker}` }),
      );
    },

    async readActivity(pr) {
      const { repo, params } = coordinates(pr);
      return call('read pull request activity', repo, () =>
        readGithubActivity(api, params, { maxPages: MAX_PAGES, isOwn: isAutodevComment }),
      );
    },

    async reviewerPermission(repoUrl, login) {
      const repo = locate(repoUrl);
      const { data } = await call('read collaborator permission', repo, () =>
        api.rest.repos.getCollaboratorPermissionLevel({
          owner: repo.owner,
          repo: repo.name,
          username: login,
        }),
      );
      // `permission` is GitHub's legacy level (maintain reads as write, triage as read): write or admin.
      return {
        canWrite: data.permission === 'admin' || data.permission === 'write',
        level: data.role_name || data.permission,
      };
    },

    async merge({ pullRequest }) {
      const { repo, params } = coordinates(pullRequest);
      const current = await call('read pull request', repo, () => api.rest.pulls.get(params));
      if (current.data.merged && current.data.merge_commit_sha) {
        return { merged: true, mergeCommit: current.data.merge_commit_sha };
      }
      if (current.data.state === 'closed') {
        return { merged: false, reason: `pull request #${params.pull_number} is closed` };
      }
      try {
        const { data } = await call('merge pull request', repo, () =>
          api.rest.pulls.merge({
            ...params,
            merge_method: config.git.merge_method,
            // Only the commit autodev tested is merged: a head moved since is refused by GitHub (409).
            sha: pullRequest.head_commit,
          }),
        );
        return { merged: true, mergeCommit: data.sha };
      } catch (error) {
        if (!isAutodevError(error, 'PR_NOT_MERGEABLE')) throw error;
        return { merged: false, reason: error.message };
      }
    },

    async close(pr) {
      const { repo, params } = coordinates(pr);
      await call('close pull request', repo, () => api.rest.pulls.update({ ...params, state: 'closed' }));
    },

    verifyWebhook: verifyGithubSignature,
    webhookTarget: githubWebhookTarget,
  };
}

function truncateBody(body: string): string {
  if (body.length <= MAX_BODY_CHARS) return body;
  return `${body.slice(0, MAX_BODY_CHARS)}\n\n… (truncated by autodev: GitHub's limit is 65536 characters)`;
}

interface OpenedPull {
  number: number;
  html_url: string;
  title: string;
  head: { sha: string };
  created_at: string;
  updated_at: string;
}

/** The fields kept of a listed or created pull request (the two answers differ elsewhere). */
function openedShape(pull: OpenedPull): OpenedPull {
  const { number, html_url, title, head, created_at, updated_at } = pull;
  return { number, html_url, title, head: { sha: head.sha }, created_at, updated_at };
}
