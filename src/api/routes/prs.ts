import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import type { PullRequestReviewView, ReviewAction } from '../../orchestrator/review/pr-review-service.js';
import type { Runtime } from '../../runtime/create-runtime.js';
import { listPrsQuery, prDetailView, prListView, reviewActionBody } from '../schemas/pr.js';
import { errorView, taskIdParams } from '../schemas/task.js';
import { toTaskSummary } from '../task-view.js';

type ActionName = 'approve' | 'request-changes' | 'comment' | 'override' | 'merge' | 'close';

const SUMMARIES: Record<ActionName, string> = {
  approve: 'Approve a pull request; it merges once its risk tier has its approvals and policy allows',
  'request-changes': 'Request changes on a pull request: its comment starts a review round (a new commit)',
  comment: 'Comment on a pull request',
  override:
    'Accept what policy denied (required for high risk), with the reason as comment; allowed reviewers only',
  merge: 'Merge a pull request now if its risk tier has its approvals (approvals also merge by themselves)',
  close: 'Close a pull request unmerged; its task ends closed',
};

function toDetail(view: PullRequestReviewView) {
  return { ...view, task: toTaskSummary(view.task) };
}

/** The local forge's review: pull requests are named by their task's id. */
export function prsRoutes(runtime: Runtime): FastifyPluginAsyncZod {
  const { reviews } = runtime;
  const actions: Record<ActionName, (id: string, action: ReviewAction) => Promise<PullRequestReviewView>> = {
    approve: reviews.approve,
    'request-changes': reviews.requestChanges,
    comment: reviews.comment,
    override: reviews.override,
    merge: reviews.merge,
    close: reviews.close,
  };

  return async (app) => {
    app.get(
      '/prs',
      {
        schema: {
          summary: "List every task's pull requests (a multi-repo task's in each repository), newest first",
          querystring: listPrsQuery,
          response: { 200: prListView },
        },
      },
      async (request) => {
        const prs = await runtime.store.pullRequests.listAll(request.query);
        return { prs: prs.map((p) => ({ ...p, role: p.role ?? ('library' as const) })) };
      },
    );

    app.get(
      '/prs/:id',
      {
        schema: {
          summary: 'A pull request with its reviews and the approvals it needs',
          params: taskIdParams,
          response: { 200: prDetailView, 404: errorView },
        },
      },
      async (request) => toDetail(await reviews.show(request.params.id)),
    );

    for (const [name, act] of Object.entries(actions) as [ActionName, (typeof actions)[ActionName]][]) {
      app.post(
        `/prs/:id/${name}`,
        {
          schema: {
            summary: SUMMARIES[name],
            params: taskIdParams,
            body: reviewActionBody,
            response: { 200: prDetailView, 400: errorView, 403: errorView, 404: errorView, 409: errorView },
          },
        },
        async (request) =>
          toDetail(
            await act(request.params.id, {
              caller: request.caller,
              ...(request.body.by !== undefined ? { claimedBy: request.body.by } : {}),
              ...(request.body.comment !== undefined ? { comment: request.body.comment } : {}),
            }),
          ),
      );
    }
  };
}
