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
  assignees: string[];
  createdAt: string;
  /** Moved by every note, label and assignment, as GitLab touches the issue. */
  updatedAt: string;
}

/** A label added to or removed from an issue (GitLab's resource label events). */
export interface FakeGitlabLabelEvent {
  id: number;
  issue: number;
  label: string;
  action: 'add' | 'remove';
  by: string;
  createdAt: string;
}

/** A note on an issue: a comment, or a system note (GitLab's record of an assignment). */
export interface FakeGitlabIssueNote {
  id: number;
  issue: number;
  body: string;
  author: string;
  createdAt: string;
  system?: boolean;
}

export interface FakeGitlabProject {
  path: string;
  dir: string;
  mrs: FakeGitlabMr[];
  notes: FakeGitlabNote[];
  issues: FakeGitlabIssue[];
  /** Notes on issues (numbered apart from merge requests, as GitLab numbers them). */
  issueNotes: FakeGitlabIssueNote[];
  labelEvents: FakeGitlabLabelEvent[];
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
export function issueNoteJson(note: FakeGitlabIssueNote): Record<string, unknown> {
  return {
    id: note.id,
    type: null,
    body: note.body,
    author: { username: note.author },
    created_at: note.createdAt,
    updated_at: note.createdAt,
    system: note.system === true,
    noteable_type: 'Issue',
    noteable_iid: note.issue,
  };
}

/** An issue as GET /projects/:id/issues answers it (GitLab's REST docs, "Issues"; labels as names). */
export function issueJson(
  project: FakeGitlabProject,
  issue: FakeGitlabIssue,
  webUrl: string,
): Record<string, unknown> {
  return {
    id: issue.iid + 20_000,
    iid: issue.iid,
    project_id: 1,
    title: issue.title,
    description: issue.description,
    state: 'opened',
    labels: issue.labels,
    author: { username: issue.by },
    assignees: issue.assignees.map((username) => ({ username })),
    created_at: issue.createdAt,
    updated_at: issue.updatedAt,
    web_url: `${webUrl}/${project.path}/-/issues/${issue.iid}`,
  };
}

/** A label event as GET .../issues/:iid/resource_label_events answers it. */
export function labelEventJson(event: FakeGitlabLabelEvent): Record<string, unknown> {
  return {
    id: event.id,
    user: { username: event.by },
    created_at: event.createdAt,
    resource_type: 'Issue',
    resource_id: event.issue + 20_000,
    label: { id: 1, name: event.label, color: '#6699cc', description: null },
    action: event.action,
  };
}

/** The project as GET /projects/:id answers it (the fields autodev reads, and a few more). */
export function projectJson(project: FakeGitlabProject, webUrl: string): Record<string, unknown> {
  return {
    id: 1,
    path: project.path.split('/').pop(),
    path_with_namespace: project.path,
    default_branch: 'main',
    http_url_to_repo: `${webUrl}/${project.path}.git`,
    web_url: `${webUrl}/${project.path}`,
  };
}
