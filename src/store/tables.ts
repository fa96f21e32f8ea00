import type { Generated } from 'kysely';

/** Row shapes as stored: JSON in text columns, booleans as 0/1, times as ISO text, leases as epoch ms. */
export interface TasksTable {
  id: string;
  title: string;
  description: string;
  repo: string;
  repo_normalized: string;
  base_branch: string;
  risk_tier: string;
  constraints_json: string;
  acceptance_json: string;
  status: string;
  plan_json: string | null;
  branch: string | null;
  error_code: string | null;
  error_message: string | null;
  attempt: number;
  cancel_requested: number;
  /** Set once, when delivery's merge begins; a cancel is refused from then on. */
  merge_started_at: string | null;
  /** The task whose merge this task reverts; null for every other task. */
  reverts_task_id: string | null;
  lease_owner: string | null;
  lease_expires_at: number | null;
  created_at: string;
  updated_at: string;
  started_at: string | null;
  finished_at: string | null;
  /** The task's model cost so far (migration 006), added to by one atomic update per call. */
  cost_input_tokens: number;
  cost_output_tokens: number;
  cost_cached_input_tokens: number;
  cost_usd: number;
  /** Every repository of a multi-repo task (migration 010): JSON of TaskRepo[]; null for one repository. */
  repos_json: string | null;
}

export interface StepsTable {
  task_id: string;
  key: string;
  seq: number;
  phase: string;
  tool: string;
  status: string;
  attempts: number;
  input_summary: string;
  output_summary: string | null;
  output_json: string | null;
  error_code: string | null;
  error_message: string | null;
  started_at: string;
  finished_at: string | null;
  duration_ms: number | null;
}

export interface EventsTable {
  id: Generated<number>;
  task_id: string;
  type: string;
  data_json: string;
  created_at: string;
}

/** Each denial code of a policy.decision event, one row per `deny` entry (migration 014). */
export interface PolicyDenialsTable {
  event_id: number;
  /** The entry's index in the event's `deny` list. */
  entry: number;
  /** The entry's `code`; null when it has none. */
  code: string | null;
}

export interface PullRequestsTable {
  task_id: string;
  forge: string;
  repo: string;
  branch: string;
  base_branch: string;
  number: number | null;
  url: string | null;
  title: string;
  status: string;
  head_commit: string;
  merge_commit: string | null;
  created_at: string;
  updated_at: string;
}

/** A multi-repo task's other pull requests: its consumers' and a revert of its library (migration 013). */
export interface RepoPullRequestsTable extends PullRequestsTable {
  role: string;
  ordinal: number;
}

export interface PrReviewsTable {
  id: Generated<number>;
  task_id: string;
  kind: string;
  by: string;
  comment: string | null;
  created_at: string;
  forge_item_id: string | null;
  path: string | null;
  line: number | null;
  repo: string | null;
}

export interface ReviewRoundsTable {
  task_id: string;
  round: number;
  status: string;
  through_review_id: number;
  from_commit: string;
  commit: string | null;
  error: string | null;
  created_at: string;
  finished_at: string | null;
}

export interface CommandLogsTable {
  id: Generated<number>;
  task_id: string;
  step_key: string;
  stream: string;
  content: string;
  created_at: string;
}

/** One finished turn of a task's coding conversation (see conversation-repository.ts). */
export interface ConversationTurnsTable {
  task_id: string;
  seq: number;
  round: number;
  request_hash: string;
  messages_json: string;
  reply_json: string;
  workspace_commit: string;
  stop_reason: string | null;
  created_at: string;
}

/** An issue of the local forge (migration 008); hosted forges keep their own. */
export interface IssuesTable {
  id: Generated<number>;
  repo: string;
  repo_normalized: string;
  /** The branch a task for the issue starts from. */
  base_branch: string;
  title: string;
  body: string;
  labels_json: string;
  author: string;
  state: string;
  created_at: string;
  updated_at: string;
}

export interface IssueCommentsTable {
  id: Generated<number>;
  issue_id: number;
  body: string;
  author: string;
  created_at: string;
  updated_at: string;
}

/** A task started from a forge issue (or pull request), and the one status comment kept on it. */
export interface IssueTasksTable {
  task_id: string;
  forge: string;
  repo_normalized: string;
  issue_number: number;
  status_comment_id: string | null;
  created_at: string;
}

export interface TriggerDeliveriesTable {
  key: string;
  received_at: string;
}

/** How far the trigger poller read one repository's comments (migration 009). */
export interface TriggerPollCursorsTable {
  /** `forge:repo_normalized`. */
  source: string;
  cursor: string;
  updated_at: string;
}

export interface Database {
  tasks: TasksTable;
  steps: StepsTable;
  events: EventsTable;
  policy_denials: PolicyDenialsTable;
  pull_requests: PullRequestsTable;
  repo_pull_requests: RepoPullRequestsTable;
  pr_reviews: PrReviewsTable;
  review_rounds: ReviewRoundsTable;
  command_logs: CommandLogsTable;
  conversation_turns: ConversationTurnsTable;
  issues: IssuesTable;
  issue_comments: IssueCommentsTable;
  issue_tasks: IssueTasksTable;
  trigger_deliveries: TriggerDeliveriesTable;
  trigger_poll_cursors: TriggerPollCursorsTable;
  dependency_updates: DependencyUpdatesTable;
  dependency_update_scans: DependencyUpdateScansTable;
}

/** The update group a task makes (migration 008). */
export interface DependencyUpdatesTable {
  task_id: string;
  repo_normalized: string;
  base_branch: string;
  group_key: string;
  updates_json: string;
  repair: number;
  created_at: string;
}

/** One scan of a repository for dependency updates. */
export interface DependencyUpdateScansTable {
  id: Generated<number>;
  repo_normalized: string;
  base_branch: string;
  scanned_at: string;
  found_json: string;
  skipped_json: string;
  created_json: string;
  error_code: string | null;
  error_message: string | null;
}
