/** What the fake Gitea holds per repo: the git side lives in the bare repo, the rest here. */
export interface FakeGiteaPull {
  number: number;
  title: string;
  body: string;
  head: string;
  base: string;
  state: 'open' | 'closed';
  merged: boolean;
  mergeCommit?: string;
  mergedBy?: string;
  labels: number[];
  createdAt: string;
  updatedAt: string;
}

export interface FakeGiteaReview {
  id: number;
  pull: number;
  state: 'APPROVED' | 'REQUEST_CHANGES' | 'COMMENT';
  body: string;
  user: string;
  commitId: string;
  submittedAt: string;
  comments: { id: number; path: string; line: number; body: string; createdAt: string }[];
}

export interface FakeGiteaRepo {
  owner: string;
  name: string;
  dir: string;
  pulls: FakeGiteaPull[];
  labels: { id: number; name: string; color: string }[];
  /** Comments on issues and pull requests alike (Gitea numbers both in one sequence). */
  comments: FakeGiteaComment[];
  issues: FakeGiteaIssue[];
  reviews: FakeGiteaReview[];
  /** Each account's access mode on the repo (Gitea's names); an account not here has none. */
  permissions: Map<string, GiteaAccessMode>;
}

export interface FakeGiteaComment {
  id: number;
  issue: number;
  body: string;
  user: string;
  createdAt: string;
  updatedAt?: string;
}

export interface FakeGiteaIssue {
  number: number;
  title: string;
  body: string;
  labels: string[];
  by: string;
  state: 'open' | 'closed';
  createdAt: string;
}

/** The next number of an issue or pull request: Gitea counts both in one sequence per repo. */
export function nextIndex(repo: FakeGiteaRepo): number {
  return repo.pulls.length + repo.issues.length + 1;
}

/** Gitea's access modes as its permission API names them (models/perm AccessMode.ToString). */
export type GiteaAccessMode = 'none' | 'read' | 'write' | 'admin' | 'owner';

const user = (login: string) => ({ id: login.length, login, username: login });

export function pullJson(
  repo: FakeGiteaRepo,
  pull: FakeGiteaPull,
  shas: { head: string; base: string },
  webUrl: string,
): Record<string, unknown> {
  return {
    id: pull.number,
    number: pull.number,
    url: `${webUrl}/${repo.owner}/${repo.name}/pulls/${pull.number}`,
    html_url: `${webUrl}/${repo.owner}/${repo.name}/pulls/${pull.number}`,
    title: pull.title,
    body: pull.body,
    state: pull.state,
    merged: pull.merged,
    mergeable: !pull.merged && pull.state === 'open',
    ...(pull.mergeCommit ? { merge_commit_sha: pull.mergeCommit } : {}),
    ...(pull.mergedBy ? { merged_by: user(pull.mergedBy) } : {}),
    head: { label: pull.head, ref: pull.head, sha: shas.head },
    base: { label: pull.base, ref: pull.base, sha: shas.base },
    labels: repo.labels.filter((l) => pull.labels.includes(l.id)),
    user: user('autodev'),
    created_at: pull.createdAt,
    updated_at: pull.updatedAt,
  };
}

export function reviewJson(review: FakeGiteaReview): Record<string, unknown> {
  return {
    id: review.id,
    state: review.state,
    body: review.body,
    user: user(review.user),
    commit_id: review.commitId,
    submitted_at: review.submittedAt,
    comments_count: review.comments.length,
    dismissed: false,
    stale: false,
    official: true,
  };
}

export function reviewCommentJson(review: FakeGiteaReview, c: FakeGiteaReview['comments'][number]) {
  return {
    id: c.id,
    body: c.body,
    path: c.path,
    position: c.line,
    original_position: c.line,
    commit_id: review.commitId,
    pull_request_review_id: review.id,
    user: user(review.user),
    created_at: c.createdAt,
    updated_at: c.createdAt,
  };
}

/** A comment; `repoWeb` is the repo's web URL, which Gitea's `issue_url` starts with. */
export function commentJson(c: FakeGiteaComment, repoWeb: string): Record<string, unknown> {
  return {
    id: c.id,
    body: c.body,
    user: user(c.user),
    issue_url: `${repoWeb}/issues/${c.issue}`,
    created_at: c.createdAt,
    updated_at: c.updatedAt ?? c.createdAt,
  };
}

/** An issue as GET /repos/{owner}/{repo}/issues/{index} answers it; a pull request's carries its meta. */
export function issueJson(
  repo: FakeGiteaRepo,
  issue: Pick<FakeGiteaIssue, 'number' | 'title' | 'body' | 'labels' | 'by' | 'state' | 'createdAt'>,
  webUrl: string,
  isPull: boolean,
): Record<string, unknown> {
  return {
    id: issue.number,
    number: issue.number,
    title: issue.title,
    body: issue.body,
    state: issue.state,
    labels: issue.labels.map((name, i) => ({ id: i + 1, name, color: '5319e7' })),
    user: user(issue.by),
    html_url: `${webUrl}/${repo.owner}/${repo.name}/issues/${issue.number}`,
    // An issue has none (the swagger types it an object, so it is left out rather than null).
    ...(isPull ? { pull_request: { merged: false, draft: false } } : {}),
    created_at: issue.createdAt,
    updated_at: issue.createdAt,
  };
}

/** A repository as its webhooks and GET /repos/{owner}/{repo} describe it. */
export function repositoryJson(repo: FakeGiteaRepo, webUrl: string): Record<string, unknown> {
  return {
    id: repo.name.length,
    name: repo.name,
    full_name: `${repo.owner}/${repo.name}`,
    html_url: `${webUrl}/${repo.owner}/${repo.name}`,
    clone_url: `${webUrl}/${repo.owner}/${repo.name}.git`,
    default_branch: 'main',
  };
}

/** Gitea's RepoCollaboratorPermission: the mode, its role name (the same word in Gitea), the user. */
export function permissionJson(login: string, mode: GiteaAccessMode): Record<string, unknown> {
  return { permission: mode, role_name: mode, user: user(login) };
}
