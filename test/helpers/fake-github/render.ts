import type { ContractChecker } from './openapi-contract.js';
import {
  legacyPermission,
  type FakeIssue,
  type FakeIssueComment,
  type FakePull,
  type FakeRepo,
  type FakeReview,
  type FakeReviewComment,
  type GithubRole,
} from './state.js';

type Json = Record<string, unknown>;

/**
 * Response bodies built from the spec's own examples with the fake's state laid over them, so every
 * field GitHub documents is present with a plausible value, and those autodev reads are real.
 */
export function createRenderer(contract: ContractChecker, apiUrl: string, webUrl: string) {
  const template = (operationId: string, status: number): Json => {
    const example = contract.example(operationId, status);
    return (Array.isArray(example) ? example[0] : example) as Json;
  };
  const user = (login: string) => ({ ...(template('pulls/get', 200).user as Json), login });
  const label = (name: string) => ({ ...template('issues/add-labels', 200), name });

  const pull = (operationId: string, pr: FakePull, headSha: string, baseSha: string): Json => {
    const t = template(operationId, operationId === 'pulls/create' ? 201 : 200);
    const repoPath = `${pr.repo.owner}/${pr.repo.name}`;
    const closed = pr.state === 'closed';
    return {
      ...t,
      id: pr.number,
      number: pr.number,
      url: `${apiUrl}/repos/${repoPath}/pulls/${pr.number}`,
      html_url: `${webUrl}/${repoPath}/pull/${pr.number}`,
      state: pr.state,
      title: pr.title,
      body: pr.body,
      user: user('autodev-bot'),
      labels: pr.labels.map(label),
      // The spec's example team lacks a field its own schema requires.
      requested_teams: [],
      head: { ...(t.head as Json), ref: pr.head, sha: headSha, label: `${pr.repo.owner}:${pr.head}` },
      base: { ...(t.base as Json), ref: pr.base, sha: baseSha, label: `${pr.repo.owner}:${pr.base}` },
      merged: pr.merged,
      merge_commit_sha: pr.mergeCommit ?? null,
      merged_at: pr.merged ? pr.updatedAt : null,
      closed_at: closed ? pr.updatedAt : null,
      created_at: pr.createdAt,
      updated_at: pr.updatedAt,
      ...(operationId === 'pulls/list' ? {} : { mergeable: pr.state === 'open' ? true : null }),
    };
  };

  const review = (r: FakeReview): Json => ({
    ...template('pulls/list-reviews', 200),
    id: r.id,
    user: user(r.by),
    body: r.body,
    state: r.state,
    commit_id: r.commit,
    submitted_at: r.at,
  });

  const reviewComment = (c: FakeReviewComment): Json => ({
    ...template('pulls/list-review-comments', 200),
    id: c.id,
    pull_request_review_id: c.reviewId,
    user: user(c.by),
    path: c.path,
    line: c.line,
    original_line: c.line,
    body: c.body,
    commit_id: c.commit,
    original_commit_id: c.commit,
    created_at: c.at,
    updated_at: c.at,
  });

  const issueComment = (c: FakeIssueComment): Json => ({
    ...template('issues/list-comments', 200),
    id: c.id,
    user: user(c.by),
    body: c.body,
    created_at: c.at,
    updated_at: c.at,
  });

  /** A comment as the repository-wide list gives it: `issue_url` says which issue it is on. */
  const repoComment = (c: FakeIssueComment, repoPath: string, number: number): Json => ({
    ...template('issues/list-comments-for-repo', 200),
    id: c.id,
    user: user(c.by),
    body: c.body,
    issue_url: `${apiUrl}/repos/${repoPath}/issues/${number}`,
    created_at: c.at,
    updated_at: c.at,
  });

  /** An issue with every field GitHub's `issue` schema requires (its example is only a reference). */
  const issue = (
    i: Pick<FakeIssue, 'number' | 'title' | 'body' | 'labels' | 'by'>,
    isPull: boolean,
  ): Json => {
    const url = `${apiUrl}/issues/${i.number}`;
    return {
      id: i.number,
      node_id: `I_${i.number}`,
      url,
      html_url: `${webUrl}/issues/${i.number}`,
      repository_url: apiUrl,
      labels_url: `${url}/labels{/name}`,
      comments_url: `${url}/comments`,
      events_url: `${url}/events`,
      number: i.number,
      state: 'open',
      locked: false,
      title: i.title,
      body: i.body,
      user: user(i.by),
      labels: i.labels.map(label),
      assignee: null,
      milestone: null,
      comments: 0,
      closed_at: null,
      created_at: '2026-01-01T00:00:00Z',
      updated_at: '2026-01-01T00:00:00Z',
      ...(isPull
        ? {
            pull_request: {
              url: `${apiUrl}/pulls/${i.number}`,
              html_url: null,
              diff_url: null,
              patch_url: null,
            },
          }
        : {}),
    };
  };

  const repository = (r: FakeRepo): Json => ({
    ...template('repos/get', 200),
    // The example's fork source lacks a field the schema requires; a fake repo is no fork.
    source: undefined,
    parent: undefined,
    language: null,
    name: r.name,
    full_name: `${r.owner}/${r.name}`,
    clone_url: `${webUrl}/${r.owner}/${r.name}.git`,
    default_branch: r.defaultBranch,
  });

  const permission = (login: string, role: GithubRole | undefined): Json => {
    const t = template('repos/get-collaborator-permission-level', 200);
    return {
      ...t,
      permission: legacyPermission(role),
      role_name: role ?? 'none',
      user: { ...(t.user as Json), login, role_name: role ?? 'none' },
    };
  };

  return { pull, review, reviewComment, issueComment, repoComment, issue, repository, label, permission };
}
