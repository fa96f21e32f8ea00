import { createHmac } from 'node:crypto';
import { branchSha, git } from '../helpers/fake-forge/bare-repo.js';
import { startFakeGitea } from '../helpers/fake-gitea/index.js';
import { startFakeGithub } from '../helpers/fake-github/server.js';
import { startFakeGitlab } from '../helpers/fake-gitlab/index.js';

/** One pull request as the forge holds it, in the same words for every provider. */
export interface ForgePull {
  number: number;
  state: 'open' | 'merged' | 'closed';
  labels: string[];
  body: string;
  /** Comments autodev (not a reviewer) wrote on it. */
  autodevComments: number;
}

/**
 * The three fakes behind one surface, so one suite runs against each. Repos live under the owner
 * `team`; `webhook` is read at every delivery, so the suite points it at the server after a restart.
 */
export interface ForgeUnderTest {
  provider: 'github' | 'gitlab' | 'gitea';
  apiUrl: string;
  tokenEnv: string;
  createRepo(name: string, files: Record<string, string | Buffer>): Promise<string>;
  pulls(name: string): ForgePull[];
  branchSha(name: string, branch: string): Promise<string | undefined>;
  /** A file's text at the tip of a branch of the forge's own repo. */
  fileAt(name: string, branch: string, path: string): Promise<string>;
  /** HTTP statuses autodev answered the fake's signed webhook deliveries with (GitHub's fake keeps them). */
  webhookStatuses(): number[] | undefined;
  /** The account autodev opens pull requests as (their author on the forge). */
  botLogin: string;
  /** Gives `login` write access to the repo, or read access only, in the forge's own terms. */
  grant(name: string, login: string, access: 'write' | 'read'): void;
  approve(name: string, number: number, by: string): Promise<void>;
  requestChanges(
    name: string,
    number: number,
    by: string,
    body: string,
    at: { path: string; line: number },
  ): Promise<void>;
  /** Headers of a webhook whose signature is wrong for the secret, in the provider's own scheme. */
  forgedWebhook(body: string): Record<string, string>;
  violations(): string[];
  /** Every API request line the fake saw (to check no token went into a URL). */
  requestLines(): string[];
  close(): Promise<void>;
}

export type ForgeFactory = (options: {
  token: string;
  webhook: { url: string; secret: string };
}) => Promise<ForgeUnderTest>;

const OWNER = 'team';

const showFile = (dir: string, branch: string, path: string) =>
  git(dir, ['show', `refs/heads/${branch}:${path}`]);

const wrongHmac = (body: string) => createHmac('sha256', 'not-the-secret').update(body).digest('hex');

export const startGithubUnderTest: ForgeFactory = async ({ token, webhook }) => {
  const fake = await startFakeGithub({ token, webhook });
  return {
    provider: 'github',
    apiUrl: fake.apiUrl,
    tokenEnv: 'GITHUB_TOKEN',
    async createRepo(name, files) {
      await fake.createRepo(OWNER, name, files);
      return fake.repoUrl(OWNER, name);
    },
    pulls: (name) =>
      fake.pullsOf(OWNER, name).map((p) => ({
        number: p.number,
        state: p.merged ? 'merged' : p.state,
        labels: [...p.labels],
        body: p.body,
        autodevComments: p.issueComments.filter((c) => c.by === 'autodev-bot').length,
      })),
    branchSha: (name, branch) => fake.branchSha(OWNER, name, branch),
    async fileAt(name, branch, path) {
      const pull = fake.pullsOf(OWNER, name)[0];
      if (!pull) throw new Error(`no pull request in ${name} yet: its repo dir is unknown`);
      return showFile(pull.repo.dir, branch, path);
    },
    webhookStatuses: () => fake.webhookDeliveries.map((d) => d.status),
    botLogin: 'autodev-bot',
    grant: (name, login, access) => fake.setRole(OWNER, name, login, access),
    approve: (_name, number, by) => fake.approve(number, by),
    requestChanges: (_name, number, by, body, at) => fake.requestChanges(number, by, body, [{ ...at, body }]),
    forgedWebhook: (body) => ({
      'x-github-event': 'pull_request_review',
      'x-github-delivery': 'forged-1',
      'x-hub-signature-256': `sha256=${wrongHmac(body)}`,
    }),
    violations: () => fake.violations,
    requestLines: () => fake.requests.map((r) => `${r.method} ${r.url}`),
    close: () => fake.close(),
  };
};

export const startGiteaUnderTest: ForgeFactory = async ({ token, webhook }) => {
  const fake = await startFakeGitea({ token, webhook });
  return {
    provider: 'gitea',
    apiUrl: fake.apiUrl,
    tokenEnv: 'GITEA_TOKEN',
    async createRepo(name, files) {
      await fake.createRepo(OWNER, name, files);
      return fake.repoUrl(OWNER, name);
    },
    pulls(name) {
      const repo = fake.repo(OWNER, name);
      return repo.pulls.map((p) => ({
        number: p.number,
        state: p.merged ? 'merged' : p.state,
        labels: repo.labels.filter((l) => p.labels.includes(l.id)).map((l) => l.name),
        body: p.body,
        autodevComments: repo.comments.filter((c) => c.issue === p.number && c.user === 'autodev').length,
      }));
    },
    branchSha: (name, branch) => branchSha(fake.repo(OWNER, name).dir, branch),
    fileAt: (name, branch, path) => showFile(fake.repo(OWNER, name).dir, branch, path),
    webhookStatuses: () => undefined,
    botLogin: 'autodev',
    grant: (name, login, access) => fake.setPermission(OWNER, name, login, access),
    approve: (name, number, by) => fake.approve(OWNER, name, number, by),
    requestChanges: (name, number, by, body, at) =>
      fake.requestChanges(OWNER, name, number, by, body, [{ ...at, body }]),
    forgedWebhook: (body) => ({
      'x-gitea-event': 'pull_request_review_rejected',
      'x-gitea-signature': wrongHmac(body),
    }),
    violations: () => fake.violations,
    requestLines: () => fake.requests,
    close: () => fake.close(),
  };
};

export const startGitlabUnderTest: ForgeFactory = async ({ token, webhook }) => {
  const fake = await startFakeGitlab({ token, webhook });
  const path = (name: string) => `${OWNER}/${name}`;
  return {
    provider: 'gitlab',
    apiUrl: fake.apiUrl,
    tokenEnv: 'GITLAB_TOKEN',
    async createRepo(name, files) {
      await fake.createRepo(path(name), files);
      return fake.repoUrl(path(name));
    },
    pulls(name) {
      const project = fake.project(path(name));
      return project.mrs.map((mr) => ({
        number: mr.iid,
        state: mr.state === 'opened' ? 'open' : mr.state,
        labels: [...mr.labels],
        body: mr.description,
        autodevComments: project.notes.filter((n) => n.mr === mr.iid && !n.system && n.author === 'autodev')
          .length,
      }));
    },
    branchSha: (name, branch) => branchSha(fake.project(path(name)).dir, branch),
    fileAt: (name, branch, file) => showFile(fake.project(path(name)).dir, branch, file),
    webhookStatuses: () => undefined,
    botLogin: 'autodev',
    // Developer (30) is GitLab's least access that may push and merge; reporter (20) only reads.
    grant: (name, login, access) => fake.setAccess(path(name), login, access === 'write' ? 30 : 20),
    approve: (name, number, by) => fake.approve(path(name), number, by),
    requestChanges: (name, number, by, body, at) => fake.requestChanges(path(name), number, by, body, at),
    forgedWebhook: () => ({ 'x-gitlab-event': 'Note Hook', 'x-gitlab-token': 'not-the-secret' }),
    violations: () => fake.violations,
    requestLines: () => fake.requests,
    close: () => fake.close(),
  };
};
