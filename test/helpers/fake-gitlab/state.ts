/** What the fake GitLab holds per project: the git side lives in the bare repo, the rest here. */
export interface FakeGitlabMr {
  iid: number;
  title: string;
  description: string;
  source: string;
  target: string;
  state: 'opened' | 'closed' | 'merged';
  labels: string[];
  mergeCommit?: string;
  squashCommit?: string;
  mergeError?: string;
  approvedBy: string[];
  createdAt: string;
  updatedAt: string;
}

export interface FakeGitlabNote {
  id: number;
  mr: number;
  discussion: string;
  body: string;
  author: string;
  system: boolean;
  createdAt: string;
  /** A diff note: a comment on a line, opening a resolvable discussion. */
  position?: { path: string; line: number; headSha: string };
  resolved?: boolean;
}

export interface FakeGitlabIssue {
  iid: number;
  title: string;
  description: string;
  labels: string[];
  by: string;
}

export interface FakeGitlabProject {
  path: string;
  dir: string;
  mrs: FakeGitlabMr[];
  notes: FakeGitlabNote[];
  issues: FakeGitlabIssue[];
  /** Notes on issues (numbered apart from merge requests, as GitLab numbers them). */
  issueNotes: { id: number; issue: number; body: string; author: string; createdAt: string }[];
  /** Username → access level (10 guest, 20 reporter, 30 developer, 40 maintainer, 50 owner). */
  members: Map<string, number>;
}

/** A project member as GET /projects/:id/members/all answers it (GitLab's REST docs, "Members"). */
export function memberJson(username: string, accessLevel: number, id: number): Record<string, unknown> {
  return {
    id,
    username,
    name: username,
    state: 'active',
    avatar_url: null,
    web_url: `https://gitlab.example/${username}`,
    access_level: accessLevel,
    created_at: '2026-01-01T00:00:00Z',
    expires_at: null,
    membership_state: 'active',
  };
}

export function mrJson(
  project: FakeGitlabProject,
  mr: FakeGitlabMr,
  sha: string,
  webUrl: string,
  extra: Record<string, unknown> = {},
): Record<string, unknown> {
  return {
    id: mr.iid + 10_000,
    iid: mr.iid,
    title: mr.title,
    description: mr.description,
    state: mr.state,
    web_url: `${webUrl}/${project.path}/-/merge_requests/${mr.iid}`,
    source_branch: mr.source,
    target_branch: mr.target,
    sha,
    merge_commit_sha: mr.mergeCommit ?? null,
    squash_commit_sha: mr.squashCommit ?? null,
    merge_error: mr.mergeError ?? null,
    labels: mr.labels,
    author: { username: 'autodev' },
    created_at: mr.createdAt,
    updated_at: mr.updatedAt,
    ...extra,
  };
}

export function noteJson(note: FakeGitlabNote): Record<string, unknown> {
  return {
    id: note.id,
    type: note.position ? 'DiffNote' : null,
    body: note.body,
    author: { username: note.author },
    created_at: note.createdAt,
    system: note.system,
    noteable_type: 'MergeRequest',
    resolvable: note.position !== undefined,
    ...(note.position
      ? {
          resolved: note.resolved === true,
          position: {
            new_path: note.position.path,
            new_line: note.position.line,
            head_sha: note.position.headSha,
          },
        }
      : {}),
  };
}

/** An issue note as the notes API answers it. */
export function issueNoteJson(note: FakeGitlabProject['issueNotes'][number]): Record<string, unknown> {
  return {
    id: note.id,
    type: null,
    body: note.body,
    author: { username: note.author },
    created_at: note.createdAt,
    updated_at: note.createdAt,
    system: false,
    noteable_type: 'Issue',
    noteable_iid: note.issue,
  };
}
