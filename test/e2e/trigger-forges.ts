import { startFakeGitea } from '../helpers/fake-gitea/index.js';
import { startFakeGithub } from '../helpers/fake-github/server.js';
import { startFakeGitlab } from '../helpers/fake-gitlab/index.js';

/** A webhook delivery as the fake sent it: sent again as is, it is the forge's redelivery. */
export interface Delivery {
  payload: string;
  headers: Record<string, string>;
}

/**
 * The three fakes' issues and comments behind one surface, so one trigger suite runs against each.
 * Repos live under the owner `team`; `webhook` is read at every delivery.
 */
export interface TriggerForge {
  provider: 'github' | 'gitlab' | 'gitea';
  apiUrl: string;
  tokenEnv: string;
  /** The account autodev comments as (`[autodev.triggers] bot_account`). */
  botLogin: string;
  /** A repo holding `files`; its clone URL. */
  createRepo(name: string, files: Record<string, string>): Promise<string>;
  /** Gives `login` write access to the repo (a developer on GitLab). */
  grantWrite(name: string, login: string): void;
  openIssue(
    name: string,
    issue: { title: string; body: string; labels: string[]; by: string },
  ): Promise<number>;
  comment(name: string, number: number, by: string, body: string): Promise<Delivery>;
  /** `by` adds a label to an issue; only forges whose poller reads labels (GitLab) offer it. */
  labelIssue?(name: string, number: number, by: string, label: string): Promise<Delivery>;
  /** `by` assigns an issue to `assignee`; only forges whose poller reads assignments (GitLab). */
  assignIssue?(name: string, number: number, by: string, assignee: string): Promise<Delivery>;
  /** `by` comments on a pull (merge) request; only forges whose poller reads those apart (GitLab). */
  commentOnPull?(name: string, number: number, by: string, body: string): Promise<void>;
  /** Bodies of autodev's comments on a pull (merge) request, oldest first (GitLab). */
  botPullComments?(name: string, number: number): string[];
  /** The API request line of one trigger poll of the repo `name` (its listing). */
  pollListing(name: string): RegExp;
  /** Sends a delivery again; the HTTP status autodev answered. */
  redeliver(delivery: Delivery): Promise<number>;
  /** The delivery with `payload` in place of its own, under a signature or token that is not the secret's. */
  forged(delivery: Delivery, payload: string): Delivery;
  /** Bodies of autodev's comments on an issue, oldest first. */
  botComments(name: string, number: number): string[];
  /** Bodies of the repo's pull (merge) requests. */
  pullBodies(name: string): string[];
  violations(): string[];
  /** Every API request the fake saw, as `METHOD /path?query`. */
  requestLines(): string[];
  close(): Promise<void>;
}

export type TriggerForgeFactory = (options: {
  token: string;
  webhook: { url: string; secret: string };
}) => Promise<TriggerForge>;

const OWNER = 'team';

export const githubTriggerForge: TriggerForgeFactory = async ({ token, webhook }) => {
  const fake = await startFakeGithub({ token, webhook });
  return {
    provider: 'github',
    apiUrl: fake.apiUrl,
    tokenEnv: 'GITHUB_TOKEN',
    botLogin: 'autodev-bot',
    createRepo: (name, files) => fake.createRepo(OWNER, name, files),
    grantWrite: (name, login) => fake.setRole(OWNER, name, login, 'write'),
    openIssue: (name, issue) => fake.openIssue(OWNER, name, issue),
    comment: (_name, number, by, body) => fake.commentOnIssue(number, by, body),
    pollListing: (name) => new RegExp(`^GET \\S*/repos/${OWNER}/${name}/issues/comments\\?`),
    redeliver: (delivery) => fake.redeliver({ event: delivery.headers['x-github-event'] ?? '', ...delivery }),
    // The signature is the original body's: it does not match the changed one.
    forged: (delivery, payload) => ({ ...delivery, payload }),
    botComments: (_name, number) =>
      fake
        .issue(number)
        .comments.filter((c) => c.by === 'autodev-bot')
        .map((c) => c.body),
    pullBodies: (name) => fake.pullsOf(OWNER, name).map((p) => p.body),
    violations: () => fake.violations,
    requestLines: () => fake.requests.map((r) => `${r.method} ${r.url}`),
    close: () => fake.close(),
  };
};

export const giteaTriggerForge: TriggerForgeFactory = async ({ token, webhook }) => {
  const fake = await startFakeGitea({ token, webhook });
  return {
    provider: 'gitea',
    apiUrl: fake.apiUrl,
    tokenEnv: 'GITEA_TOKEN',
    botLogin: 'autodev',
    async createRepo(name, files) {
      await fake.createRepo(OWNER, name, files);
      return fake.repoUrl(OWNER, name);
    },
    grantWrite: (name, login) => fake.setPermission(OWNER, name, login, 'write'),
    openIssue: (name, issue) => fake.openIssue(OWNER, name, issue),
    comment: (name, number, by, body) => fake.commentOnIssue(OWNER, name, number, by, body),
    pollListing: (name) => new RegExp(`^GET \\S*/repos/${OWNER}/${name}/issues/comments\\?`),
    redeliver: (delivery) => fake.redeliver(delivery),
    forged: (delivery, payload) => ({ ...delivery, payload }),
    botComments: (name, number) =>
      fake
        .commentsOn(OWNER, name, number)
        .filter((c) => c.user === 'autodev')
        .map((c) => c.body),
    pullBodies: (name) => fake.repo(OWNER, name).pulls.map((p) => p.body),
    violations: () => fake.violations,
    requestLines: () => fake.requests,
    close: () => fake.close(),
  };
};

export const gitlabTriggerForge: TriggerForgeFactory = async ({ token, webhook }) => {
  const fake = await startFakeGitlab({ token, webhook });
  const path = (name: string) => `${OWNER}/${name}`;
  return {
    provider: 'gitlab',
    apiUrl: fake.apiUrl,
    tokenEnv: 'GITLAB_TOKEN',
    botLogin: 'autodev',
    async createRepo(name, files) {
      await fake.createRepo(path(name), files);
      return fake.repoUrl(path(name));
    },
    // Developer (30) is GitLab's least access that may push.
    grantWrite: (name, login) => fake.setAccess(path(name), login, 30),
    openIssue: (name, issue) =>
      fake.openIssue(path(name), {
        title: issue.title,
        description: issue.body,
        labels: issue.labels,
        by: issue.by,
      }),
    comment: (name, number, by, body) => fake.noteOnIssue(path(name), number, by, body),
    labelIssue: (name, number, by, label) => fake.labelIssue(path(name), number, by, label),
    assignIssue: (name, number, by, assignee) => fake.assignIssue(path(name), number, by, assignee),
    commentOnPull: (name, number, by, body) => fake.comment(path(name), number, by, body),
    botPullComments: (name, number) =>
      fake
        .project(path(name))
        .notes.filter((n) => n.mr === number && n.author === 'autodev')
        .map((n) => n.body),
    // GitLab lists notes per issue only: a poll lists the project's issues updated since its cursor.
    pollListing: (name) => new RegExp(`^GET /api/v4/projects/${OWNER}%2F${name}/issues\\?`),
    redeliver: (delivery) => fake.redeliver(delivery),
    // GitLab signs nothing: its secret token is the check, so a forged delivery carries another.
    forged: (delivery, payload) => ({
      payload,
      headers: { ...delivery.headers, 'x-gitlab-token': 'not-the-secret' },
    }),
    botComments: (name, number) =>
      fake
        .project(path(name))
        .issueNotes.filter((n) => n.issue === number && n.author === 'autodev')
        .map((n) => n.body),
    pullBodies: (name) => fake.project(path(name)).mrs.map((m) => m.description),
    violations: () => fake.violations,
    requestLines: () => fake.requests,
    close: () => fake.close(),
  };
};
