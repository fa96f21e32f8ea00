import type { PrReviewKind, PullRequest, RepoPullRequestRole } from '../domain/task.js';
import type { GitHttpAuth } from '../workspace/token-transport.js';

/** Where a repo lives on its forge, from the task's repo URL (never from anything the repo says). */
export interface ForgeRepo {
  /** The repo as the user gave it. */
  repo: string;
  /** github/gitea: `owner/name`; gitlab: the project's full path (`group/sub/name`); local: the path. */
  path: string;
  /** `owner` and `name` split from path (gitlab: the namespace and the last segment). */
  owner: string;
  name: string;
}

export interface EnsurePullRequestInput {
  taskId: string;
  /** The repo as the user gave it. */
  repo: string;
  branch: string;
  baseBranch: string;
  title: string;
  body: string;
  headCommit: string;
  /** `autodev` and `risk:<tier>`; a forge without labels ignores them. */
  labels?: string[];
  /**
   * A multi-repo task's pull request other than its own (a consumer's, a revert of its library), and
   * the repository's place in the task. A hosted forge finds it by repo and branch as any other.
   */
  other?: { role: RepoPullRequestRole; ordinal: number };
}

export interface MergeInput {
  pullRequest: PullRequest;
  /** The task's worktree, at the pull request's head. */
  workspaceDir: string;
}

export type MergeResult = { merged: true; mergeCommit: string } | { merged: false; reason: string };

/**
 * One reviewer's act as the forge reports it. `id` is the forge's own and stable, so a webhook and a
 * poll that report the same review are recorded once (and start one review round, not two).
 */
export interface ForgeReviewItem {
  id: string;
  kind: PrReviewKind;
  /** The forge login of who wrote it. */
  by: string;
  body: string;
  created_at: string;
  /** A review comment on a line of the diff. */
  path?: string;
  line?: number;
  /** The commit the review was made on, when the forge says. */
  commit?: string;
}

/** What the forge says of a pull request now: its state, head and every review act so far. */
export interface PullRequestActivity {
  state: 'open' | 'merged' | 'closed';
  headCommit: string;
  mergeCommit?: string;
  /**
   * The pull request's author login as the forge reports it (the account autodev opens it as): its
   * own reviews never count as approvals, whatever `reviewers` or its permission says.
   */
  author?: string;
  items: ForgeReviewItem[];
}

/**
 * What a forge account may do on a repository, as the forge answers it. `level` is the forge's own
 * word (GitHub/Gitea `admin`/`write`/`read`/`none`, GitLab `developer (30)`...), for the audit trail.
 */
export interface ReviewerPermission {
  canWrite: boolean;
  level: string;
}

export interface WebhookRequest {
  headers: Readonly<Record<string, string | string[] | undefined>>;
  /** The body exactly as received: signatures are over these bytes, not a re-serialisation. */
  rawBody: Buffer;
}

/**
 * Which of autodev's pull requests a webhook is about. The payload is only a hint: the activity is
 * then read from the forge's API (readActivity), so a forged or replayed payload cannot invent reviews.
 */
export interface WebhookTarget {
  repo: ForgeRepo;
  number?: number;
  branch?: string;
}

export type MergeMethod = 'merge' | 'squash' | 'rebase';

/**
 * Where branches become pull requests. Few, idempotent methods: a retried or resumed task calls them
 * again and gets the same pull request, the same comment, the same merge, never a second one.
 * Errors are AutodevErrors: FORGE_AUTH (401/403), FORGE_NOT_FOUND (404), PR_NOT_MERGEABLE (405/409),
 * FORGE_REJECTED (422), FORGE_RATE_LIMITED and FORGE_FAILED (5xx, network), the last two retryable.
 */
export interface Forge {
  readonly id: string;
  /**
   * The repo's coordinates on this forge; REPO_NOT_ON_FORGE (400, naming the repo and the provider)
   * when the repo is not on it. Called at submission and before every forge call.
   */
  locate(repo: string): ForgeRepo;
  /** Credentials for git over http(s) to this forge's remotes, or undefined (local, no token). */
  gitAuth(): GitHttpAuth | undefined;
  /** Finds the open pull request for the branch or opens one. */
  ensurePullRequest(input: EnsurePullRequestInput): Promise<PullRequest>;
  /** Replaces the pull request's description (the checks table of the newest round). */
  updateBody(pr: PullRequest, body: string): Promise<void>;
  /**
   * Comments once per `key` (a review round, a notice): a comment carrying the key already is not
   * posted again, so a resumed round does not answer twice.
   */
  comment(pr: PullRequest, key: string, body: string): Promise<void>;
  /** The pull request's state and its reviews, approvals and review comments, oldest first. */
  readActivity(pr: PullRequest): Promise<PullRequestActivity>;
  /**
   * Whether `login` has write permission on the repo, from the forge's own permission API: with
   * `[autodev.git] reviewers` empty, only such accounts' reviews count on a hosted forge. An unknown
   * account is `canWrite: false`; a failed lookup throws FORGE_* (the caller counts nobody for it).
   */
  reviewerPermission(repo: string, login: string): Promise<ReviewerPermission>;
  /**
   * Merges when the forge allows it. A pull request already merged answers merged, and so does a
   * base branch that already holds the head (a merge whose record a crash lost, or a human's).
   */
  merge(input: MergeInput): Promise<MergeResult>;
  /** Closes the pull request unmerged; closing a closed one is a success. */
  close(pr: PullRequest): Promise<void>;
  /**
   * Verifies a webhook's signature (GitHub X-Hub-Signature-256, GitLab X-Gitlab-Token, Gitea
   * X-Gitea-Signature) against the secret, in constant time. False for a bad or missing one.
   */
  verifyWebhook(request: WebhookRequest, secret: string): Promise<boolean>;
  /** The pull request a verified webhook is about, or undefined when it is about none (a ping). */
  webhookTarget(request: WebhookRequest): WebhookTarget | undefined;
}
