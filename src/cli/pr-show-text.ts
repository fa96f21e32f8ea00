import type { PullRequestReviewView } from '../orchestrator/review/pr-review-service.js';

type ShownPullRequest = PullRequestReviewView['pull_requests'][number];

/** Characters of a head commit shown: enough to find it, short enough for one line. */
const SHORT_COMMIT = 10;

/**
 * `autodev pr show` as lines: the task, the approvals it has of what its tier needs, each pull request
 * (a multi-repo task's library, consumers and reverts in merge order: role, status, approvals,
 * repository, URL or branch, head commit) and the reviews. Comments are quoted: a forge's review text
 * may hold anything, and one review stays one line.
 */
export function prShowLines(view: PullRequestReviewView): string[] {
  const required = view.approvals_required;
  const multiRepo = view.task.repos.length > 1;
  const line = (p: ShownPullRequest) =>
    `${p.status.padEnd(6)} ${approvalsOf(p, required).padEnd(16)} ${p.repo}  ${p.url ?? p.branch}  ${p.head_commit.slice(0, SHORT_COMMIT)}`;
  const own = view.pull_requests[0];
  return [
    `task:      ${view.task.id} (${view.task.status})`,
    `title:     ${view.task.title}`,
    `risk:      ${view.task.risk_tier}`,
    // A multi-repo task is as approved as its least approved open pull request.
    `approvals: ${view.approvals} of ${required}${multiRepo ? ' (the least of its open pull requests)' : ''}`,
    ...(multiRepo
      ? ['prs:', ...view.pull_requests.map((p) => `  ${p.role.padEnd(8)} ${line(p)}`)]
      : [`pr:        ${own ? line(own) : '-'}`]),
    ...(view.reviews.length === 0
      ? ['reviews:   -']
      : [
          'reviews:',
          ...view.reviews.map(
            (r) =>
              `  ${r.created_at} ${r.by} ${r.kind}${r.comment === null ? '' : ` ${JSON.stringify(r.comment)}`}`,
          ),
        ]),
  ];
}

/** "1 of 1"; an open one short of its tier says how many it lacks; a revert needs none. */
function approvalsOf(p: ShownPullRequest, required: number): string {
  if (p.role === 'revert') return '-';
  const lacking = required - p.approvals;
  if (lacking <= 0) return `${p.approvals} of ${required}`;
  return p.status === 'open' ? `${p.approvals} of ${required}, lacks ${lacking}` : String(p.approvals);
}
