/** The API's shapes the page reads (src/api/schemas/*.ts on the server). */
export interface TaskSummary {
  id: string;
  title: string;
  repo: string;
  base_branch: string;
  risk_tier: string;
  status: string;
  error: { code: string; message: string } | null;
  created_at: string;
  started_at?: string | null;
  finished_at: string | null;
}

export interface Step {
  key: string;
  seq: number;
  phase: string;
  tool: string;
  status: string;
  attempts: number;
  output_summary: string | null;
  error: { code: string; message: string } | null;
  duration_ms: number | null;
}

export interface TaskRepo {
  repo: string;
  base_branch: string;
  role: string;
}

export interface Task extends TaskSummary {
  description: string;
  /** Every repository of the task, the library first (one, the library, for a single repository). */
  repos: TaskRepo[];
  constraints: string[];
  acceptance: string[];
  plan: { summary: string; steps: { phase: string; tool: string; description: string }[] } | null;
  cost: { input_tokens: number; output_tokens: number; cached_input_tokens: number; usd: number };
  steps: Step[];
  pr: { url: string | null; status: string; branch: string; number: number | null } | null;
  /** Every pull request of the task, its own (the library's) first; a multi-repo task has one per changed repository. */
  pull_requests: {
    role: 'library' | 'consumer' | 'revert';
    repo: string;
    branch: string;
    status: string;
    url: string | null;
    head_commit: string;
  }[];
}

/** GET /prs/{task_id}: the reviews and, per pull request of the task, the approvals that count for it. */
export interface PrDetail {
  reviews: { by: string; kind: string; comment: string | null }[];
  /** A multi-repo task: the least of its open pull requests'. */
  approvals: number;
  approvals_required: number;
  pull_requests: (Task['pull_requests'][number] & { approvals: number })[];
}

export interface TaskEvent {
  id: number;
  task_id?: string;
  type: string;
  data: Record<string, unknown>;
  created_at: string;
}

export interface LogLine {
  id: number;
  step_key: string;
  stream: string;
  content: string;
}
