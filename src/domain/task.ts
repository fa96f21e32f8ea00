import type { RiskTier } from '../config/schema.js';
import type { ChatMessage, ModelResponse } from '../llm/types.js';

/** The task state machine's states, shared by store, orchestrator, API and event stream. */
export const TASK_STATUSES = [
  'queued',
  'planning',
  'executing',
  'verifying',
  'delivering',
  'awaiting_review',
  'merged',
  /** A reviewer closed its pull request unmerged. */
  'closed',
  'failed',
  'cancelled',
] as const;
export type TaskStatus = (typeof TASK_STATUSES)[number];

export const TERMINAL_STATUSES: ReadonlySet<TaskStatus> = new Set([
  'awaiting_review',
  'merged',
  'closed',
  'failed',
  'cancelled',
]);
export const ACTIVE_STATUSES: readonly TaskStatus[] = ['planning', 'executing', 'verifying', 'delivering'];

export function isTerminal(status: TaskStatus): boolean {
  return TERMINAL_STATUSES.has(status);
}

/**
 * A repository's part in a multi-repo task (issue #23): the library is changed first and the
 * consumers are built and tested against the changed library. A task of one repository lists it as
 * its library: the repository the change starts in.
 */
export const TASK_REPO_ROLES = ['library', 'consumer'] as const;
export type TaskRepoRole = (typeof TASK_REPO_ROLES)[number];

/** At most this many repositories in one task: each gets a workspace and a build. */
export const MAX_TASK_REPOS = 8;

/** One repository of a task as submitted. */
export interface TaskRepoInput {
  repo: string;
  base_branch: string;
  role: TaskRepoRole;
}

/** One repository of a stored task, normalized as the allowlist and the scheduler see it. */
export interface TaskRepo extends TaskRepoInput {
  repo_normalized: string;
}

/** What a user submits. */
export interface TaskInput {
  title: string;
  description: string;
  /** The task's repository; in a multi-repo task, the library's. */
  repo: string;
  base_branch: string;
  risk_tier: RiskTier;
  constraints: string[];
  acceptance: string[];
  /** Every repository of a multi-repo task, the library among them; absent for one repository. */
  repos?: TaskRepoInput[];
}

export interface PlanStep {
  phase: Phase;
  tool: string;
  description: string;
}

/** One step of the work as the planning model sees it: what to achieve, where, and how to know. */
export interface PlanWorkStep {
  goal: string;
  /** Repository paths likely involved (the model's guess, not a limit on what may change). */
  files: string[];
  /** How to tell the step is done; each becomes an acceptance check of the task. */
  checks: string[];
  /** A multi-repo task: the repository the step works in (its name, as the model's tools know it). */
  repo?: string;
}

/** A phase of the phase table as shown in the plan; implement carries the model's work steps. */
export interface PlanPhase {
  id: string;
  title: string;
  tools: string[];
  work_steps?: PlanWorkStep[];
}

export interface Plan {
  source: 'default' | 'model';
  summary: string;
  /** The tool calls, in the order the phase table runs them. */
  steps: PlanStep[];
  /** The phase table's phases, in order (plans stored before the table existed lack it). */
  phases?: PlanPhase[];
  /** The plan's checks, added to the task's acceptance criteria marked as the plan's. */
  checks?: string[];
  /** Why the default plan stands in for the model's (planning off, invalid twice, model error). */
  fallback_reason?: string;
}

export const PHASES = [
  'plan',
  'prepare',
  'setup',
  'implement',
  'verify',
  'repair',
  'decide',
  'deliver',
  /** A review round: the reviewers' comments answered by a new commit on the pull request's branch. */
  'review',
  /** A pull request waiting for review brought up to date with a base branch that moved. */
  'update',
  /** A multi-repo task's pull requests merged after review, the library first (multi-repo-merge.ts). */
  'merge',
] as const;
export type Phase = (typeof PHASES)[number];

export interface TaskError {
  code: string;
  message: string;
}

export interface Task extends Omit<TaskInput, 'repos'> {
  id: string;
  /** Every repository of the task, the library first (one entry, the library, for a single repository). */
  repos: TaskRepo[];
  /** Normalized repo (host/owner/name, or an absolute path) used by the allowlist and fair scheduling. */
  repo_normalized: string;
  status: TaskStatus;
  plan: Plan | null;
  branch: string | null;
  error: TaskError | null;
  attempt: number;
  cancel_requested: boolean;
  /** Set on a revert task: the task whose merge it undoes. */
  reverts_task_id: string | null;
  created_at: string;
  updated_at: string;
  started_at: string | null;
  finished_at: string | null;
  /** What the task's model calls cost so far (all steps, all rounds). */
  cost: TaskCost;
}

/** What a list of tasks shows of each: a page of them is read without the big and JSON columns. */
export type TaskSummary = Pick<
  Task,
  | 'id'
  | 'title'
  | 'repo'
  | 'base_branch'
  | 'risk_tier'
  | 'status'
  | 'branch'
  | 'error'
  | 'created_at'
  | 'updated_at'
  | 'finished_at'
  | 'reverts_task_id'
>;

/** Tokens and list-price dollars of model calls; cached input is part of input_tokens. */
export interface TaskCost {
  input_tokens: number;
  output_tokens: number;
  cached_input_tokens: number;
  usd: number;
}

/**
 * One finished turn of the task's coding conversation: the messages it added (what was sent before
 * the call, the model's reply, the tool results or corrections after it), the reply as received, and
 * the workspace as the turn left it (a scratch commit), so a resumed step continues from here.
 */
export interface ConversationTurn {
  task_id: string;
  /** 1, 2, ... across the whole task. */
  seq: number;
  /** The codegen round (1 implement, 2+ repair or review) the turn belongs to. */
  round: number;
  /** Canonical hash of the request sent (llm/request-hash.ts): a replay compares against it. */
  request_hash: string;
  messages: ChatMessage[];
  reply: ModelResponse;
  workspace_commit: string;
  /** Set on the turn that ended the round's loop. */
  stop_reason: 'done' | 'max_turns' | 'already_applied' | null;
  created_at: string;
}

export const STEP_STATUSES = ['running', 'succeeded', 'failed', 'skipped'] as const;
export type StepStatus = (typeof STEP_STATUSES)[number];

export interface Step {
  task_id: string;
  /** Deterministic key within the task ("implement.codegen#1"): a resumed task finds its checkpoints by it. */
  key: string;
  seq: number;
  phase: Phase;
  tool: string;
  status: StepStatus;
  attempts: number;
  input_summary: string;
  output_summary: string | null;
  /** The step's full result, the checkpoint a resumed task reuses. */
  output: unknown;
  error: TaskError | null;
  started_at: string;
  finished_at: string | null;
  duration_ms: number | null;
}

export const EVENT_TYPES = [
  'task.created',
  'task.status_changed',
  'task.cancel_requested',
  'task.resumed',
  /** An interrupted task put back to queued while nothing may run it (the kill switch), with the reason. */
  'task.requeued',
  /** On the reverted task: a revert was requested (the revert task's id), and later merged. */
  'task.revert_requested',
  'task.reverted',
  /** The task delivered (merged, or awaiting review with its checks passed): counted once in the success metric. */
  'task.delivered',
  /** The task came from a forge issue or comment (src/triggers/): the forge, the issue, who asked. */
  'task.triggered',
  /** A second trigger for the issue while the task ran: its instruction, added to this task. */
  'task.instruction_added',
  'plan.created',
  'step.started',
  'step.retrying',
  'step.succeeded',
  'step.failed',
  'step.reused',
  'model.call',
  'policy.decision',
  'change.checks_touched',
  'pr.opened',
  'pr.merged',
  /** A multi-repo task's other pull request (a consumer's, a revert) opened or merged; `repo` names it. */
  'pr.repo_opened',
  'pr.repo_merged',
  /** A multi-repo task's pull requests all approved: queued to merge them (numbered), and how that ended. */
  'pr.merge_requested',
  'pr.merge_finished',
  'pr.approved',
  'pr.changes_requested',
  'pr.commented',
  'pr.closed',
  /** An allowed reviewer accepted a high-risk (or policy-denied) change explicitly, with a reason. */
  'pr.override',
  'review.round_requested',
  'review.round_finished',
  'review.round_failed',
  'review.rounds_exhausted',
  /** The base moved before the merge and the change was replayed onto it (or conflicted with it). */
  'pr.rebased',
  'pr.rebase_conflict',
  /**
   * A pull request waiting for review is brought up to date with its base (requested: approved after
   * the base moved, or another task merged into it), then was (`pr.base_updated`) or could not be.
   */
  'pr.update_requested',
  'pr.base_updated',
  'pr.update_failed',
  'task.failed',
  'workspace.removed',
] as const;
export type EventType = (typeof EVENT_TYPES)[number];

export interface TaskEvent {
  id: number;
  task_id: string;
  type: EventType;
  data: Record<string, unknown>;
  created_at: string;
}

export const PR_STATUSES = ['open', 'merged', 'closed'] as const;
export type PullRequestStatus = (typeof PR_STATUSES)[number];

export interface PullRequest {
  task_id: string;
  forge: string;
  repo: string;
  branch: string;
  base_branch: string;
  number: number | null;
  url: string | null;
  title: string;
  status: PullRequestStatus;
  head_commit: string;
  merge_commit: string | null;
  created_at: string;
  updated_at: string;
  /**
   * A multi-repo task's pull request other than its own (the library's, which has none): a changed
   * consumer's, or the revert of the library after a consumer's merge failed.
   */
  role?: RepoPullRequestRole;
}

export type RepoPullRequestRole = 'consumer' | 'revert';

export const PR_REVIEW_KINDS = ['approval', 'changes_requested', 'comment', 'override'] as const;
export type PrReviewKind = (typeof PR_REVIEW_KINDS)[number];

/** One reviewer's act on a pull request; append-only, the history of the review. */
export interface PrReview {
  id: number;
  task_id: string;
  kind: PrReviewKind;
  by: string;
  comment: string | null;
  created_at: string;
  /** The forge's own id of the act (null for acts made through autodev's API): recorded once. */
  forge_item_id: string | null;
  /** A review comment on a line of the diff. */
  path: string | null;
  line: number | null;
  /**
   * The repository of the pull request a forge act was made on, when it is not the library's (a
   * multi-repo task's consumer); null for the library's and for acts through autodev's API.
   */
  repo: string | null;
}

export const REVIEW_ROUND_STATUSES = ['pending', 'done', 'failed'] as const;
export type ReviewRoundStatus = (typeof REVIEW_ROUND_STATUSES)[number];

/**
 * One answer to the reviewers: requested (pending) when their comments arrive, then run by the
 * scheduler like any queued task. The durable state of the wait, so a crash loses no round.
 */
export interface ReviewRound {
  task_id: string;
  round: number;
  status: ReviewRoundStatus;
  /** The newest pr_reviews id the round answers: comments after it are for the next round. */
  through_review_id: number;
  /** The pull request's head when the round was requested: the new commit goes on top of it. */
  from_commit: string;
  /** The round's commit, once made. */
  commit: string | null;
  error: string | null;
  created_at: string;
  finished_at: string | null;
}

export interface CommandLog {
  id: number;
  task_id: string;
  step_key: string;
  stream: 'stdout' | 'stderr';
  content: string;
  created_at: string;
}
