import type { PullRequest, Step, Task, TaskSummary } from '../domain/task.js';
import { toConstraintsView } from './constraints-view.js';

/**
 * The task as the API shows it: the stored task, its steps without their raw checkpoints, its pull
 * requests (its own first: `pr`).
 */
export function toTaskView(task: Task, steps: Step[], prs: readonly PullRequest[]) {
  const pr = prs[0]?.role === undefined ? prs[0] : undefined;
  return {
    ...toTaskSummary(task),
    description: task.description,
    repos: task.repos.map((r) => ({ repo: r.repo, base_branch: r.base_branch, role: r.role })),
    constraints: task.constraints,
    constraints_checked: toConstraintsView(task, steps),
    acceptance: task.acceptance,
    plan: task.plan,
    /** Model tokens and list-price dollars spent so far, all steps and rounds. */
    cost: task.cost,
    attempt: task.attempt,
    cancel_requested: task.cancel_requested,
    started_at: task.started_at,
    steps: steps.map((s) => ({
      key: s.key,
      seq: s.seq,
      phase: s.phase,
      tool: s.tool,
      status: s.status,
      attempts: s.attempts,
      input_summary: s.input_summary,
      output_summary: s.output_summary,
      error: s.error,
      started_at: s.started_at,
      finished_at: s.finished_at,
      duration_ms: s.duration_ms,
    })),
    pr: pr ? toPullRequestView(pr) : null,
    pull_requests: prs.map((p) => ({ ...toPullRequestView(p), role: p.role ?? ('library' as const) })),
  };
}

function toPullRequestView(pr: PullRequest) {
  return {
    forge: pr.forge,
    repo: pr.repo,
    branch: pr.branch,
    base_branch: pr.base_branch,
    number: pr.number,
    url: pr.url,
    title: pr.title,
    status: pr.status,
    head_commit: pr.head_commit,
    merge_commit: pr.merge_commit,
    created_at: pr.created_at,
  };
}

export function toTaskSummary(task: TaskSummary) {
  return {
    id: task.id,
    title: task.title,
    repo: task.repo,
    base_branch: task.base_branch,
    risk_tier: task.risk_tier,
    status: task.status,
    branch: task.branch,
    error: task.error,
    created_at: task.created_at,
    updated_at: task.updated_at,
    finished_at: task.finished_at,
    reverts_task_id: task.reverts_task_id,
  };
}
