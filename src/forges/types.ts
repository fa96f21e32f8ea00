import type { PullRequest } from '../domain/task.js';

export interface EnsurePullRequestInput {
  taskId: string;
  /** The repo as the user gave it. */
  repo: string;
  branch: string;
  baseBranch: string;
  title: string;
  body: string;
  headCommit: string;
}

export interface MergeInput {
  pullRequest: PullRequest;
  /** The task's worktree, at the pull request's head. */
  workspaceDir: string;
}

export type MergeResult = { merged: true; mergeCommit: string } | { merged: false; reason: string };

/**
 * Where branches become pull requests. Few, idempotent methods: a retried or resumed task calls them
 * again and gets the same pull request, never a second one.
 */
export interface Forge {
  readonly id: string;
  /** Finds the open pull request for the branch or opens one. */
  ensurePullRequest(input: EnsurePullRequestInput): Promise<PullRequest>;
  /**
   * Merges when the forge allows it. A pull request already merged answers merged, and so does a
   * base branch that already holds the head (a merge whose record a crash lost, or a human's).
   */
  merge(input: MergeInput): Promise<MergeResult>;
}
