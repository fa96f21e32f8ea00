import type { ContractChecker } from './openapi-contract.js';
import {
  legacyPermission,
  type FakeIssueComment,
  type FakePull,
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

  const permission = (login: string, role: GithubRole | undefined): Json => {
    const t = template('repos/get-collaborator-permission-level', 200);
    return {
      ...t,
      permission: legacyPermission(role),
      role_name: role ?? 'none',
      user: { ...(t.user as Json), login, role_name: role ?? 'none' },
    };
  };

  return { pull, review, reviewComment, issueComment, label, permission };
}
