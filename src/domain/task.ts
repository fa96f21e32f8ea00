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

/** What a user submits. */
export interface TaskInput {
  title: string;
  description: string;
  repo: string;
  base_branch: string;
  risk_tier: RiskTier;
  constraints: string[];
  acceptance: string[];
}

export interface PlanStep {
  phase: Phase;
  tool: string;
  description: string;
}

export interface Plan {
  source: 'default' | 'model';
  summary: string;
  steps: PlanStep[];
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
] as const;
export type Phase = (typeof PHASES)[number];

export interface TaskError {
  code: string;
  message: string;
}

export interface Task extends TaskInput {
  id: string;
  /** Normalized repo (host/owner/name, or an absolute path) used by the allowlist and fair scheduling. */
  repo_normalized: string;
  status: TaskStatus;
  plan: Plan | null;
  branch: string | null;
  error: TaskError | null;
  attempt: number;
  cancel_requested: boolean;
  created_at: string;
  updated_at: string;
  started_at: string | null;
  finished_at: string | null;
  /** What the task's model calls cost so far (all steps, all rounds). */
  cost: TaskCost;
}

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
  'pr.approved',
  'pr.changes_requested',
  'pr.commented',
  'pr.closed',
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
}

export const PR_REVIEW_KINDS = ['approval', 'changes_requested', 'comment'] as const;
export type PrReviewKind = (typeof PR_REVIEW_KINDS)[number];

/** One reviewer's act on a pull request; append-only, the history of the review. */
export interface PrReview {
  id: number;
  task_id: string;
  kind: PrReviewKind;
  by: string;
  comment: string | null;
  created_at: string;
}

export interface CommandLog {
  id: number;
  task_id: string;
  step_key: string;
  stream: 'stdout' | 'stderr';
  content: string;
  created_at: string;
}
