/** What the fake GitHub keeps: repos, pull requests and every review act on them. */
export interface FakeRepo {
  owner: string;
  name: string;
  dir: string;
  defaultBranch: string;
  /** Each account's role on the repo (GitHub's role names); an account not here has none. */
  roles: Map<string, GithubRole>;
}

export type GithubRole = 'admin' | 'maintain' | 'write' | 'triage' | 'read';

/** GitHub's legacy `permission` for a role: maintain reads as write, triage as read. */
export function legacyPermission(role: GithubRole | undefined): 'admin' | 'write' | 'read' | 'none' {
  if (role === undefined) return 'none';
  if (role === 'maintain') return 'write';
  if (role === 'triage') return 'read';
  return role;
}

export interface FakeReview {
  id: number;
  by: string;
  state: 'APPROVED' | 'CHANGES_REQUESTED' | 'COMMENTED';
  body: string;
  commit: string;
  at: string;
}

export interface FakeReviewComment {
  id: number;
  reviewId: number;
  by: string;
  path: string;
  line: number;
  body: string;
  commit: string;
  at: string;
}

export interface FakeIssueComment {
  id: number;
  by: string;
  body: string;
  at: string;
}

/** An issue (not a pull request): its comments are where autodev answers a trigger. */
export interface FakeIssue {
  number: number;
  repo: FakeRepo;
  title: string;
  body: string;
  labels: string[];
  by: string;
  comments: FakeIssueComment[];
}

export interface FakePull {
  number: number;
  repo: FakeRepo;
  title: string;
  body: string;
  head: string;
  base: string;
  state: 'open' | 'closed';
  merged: boolean;
  mergeCommit?: string;
  /** The head when merged or closed: the branch may move or vanish after. */
  frozenHead?: string;
  labels: string[];
  reviews: FakeReview[];
  reviewComments: FakeReviewComment[];
  issueComments: FakeIssueComment[];
  createdAt: string;
  updatedAt: string;
}

/** Monotonic timestamps one second apart, so "oldest first" is never a tie. */
export function createClock(start = Date.parse('2026-01-01T00:00:00Z')) {
  let now = start;
  return () => {
    now += 1000;
    return new Date(now).toISOString().replace(/\.\d{3}Z$/, 'Z');
  };
}
