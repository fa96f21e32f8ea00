import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import type { Issue } from '../../store/issue-repository.js';
import type { Runtime } from '../../runtime/create-runtime.js';
import type { TriggerOutcome } from '../../triggers/intake.js';
import { createLocalIssueService } from '../../triggers/local-issues.js';
import {
  createIssueBody,
  issueCommentBody,
  issueCommentCreatedView,
  issueCreatedView,
  issueDetailView,
  issueIdParams,
  issueListView,
  listIssuesQuery,
} from '../schemas/issue.js';
import { errorView } from '../schemas/task.js';

/** The trigger's outcome as the API shows it: always the same three keys. */
export function toTriggerView(trigger: TriggerOutcome) {
  return {
    outcome: trigger.outcome,
    task_id: 'taskId' in trigger ? trigger.taskId : null,
    reason: 'reason' in trigger ? trigger.reason : null,
  };
}

function toIssueView(issue: Issue) {
  const { repo_normalized: _normalized, ...view } = issue;
  return view;
}

/** The local forge's issues and comments: what a hosted forge's issues are, for triggers. */
export function issuesRoutes(runtime: Runtime): FastifyPluginAsyncZod {
  const issues = createLocalIssueService({
    store: runtime.store,
    provider: runtime.config.provider,
    triggers: runtime.triggers,
  });
  return async (app) => {
    app.post(
      '/issues',
      {
        schema: {
          summary:
            'Open an issue on the local forge; labelled with [autodev.triggers] label (default autodev) it becomes a task',
          body: createIssueBody,
          response: { 201: issueCreatedView, 400: errorView, 409: errorView },
        },
      },
      async (request, reply) => {
        const { issue, trigger } = await issues.create({ ...request.body, caller: request.caller });
        return reply.code(201).send({ issue: toIssueView(issue), trigger: toTriggerView(trigger) });
      },
    );

    app.get(
      '/issues',
      {
        schema: {
          summary: "A repository's issues on the local forge, newest first",
          querystring: listIssuesQuery,
          response: { 200: issueListView, 400: errorView },
        },
      },
      async (request) => ({
        issues: (await issues.list(request.query.repo, request.query.limit)).map(toIssueView),
      }),
    );

    app.get(
      '/issues/:id',
      {
        schema: {
          summary: 'An issue with its comments (autodev keeps one status comment current on it)',
          params: issueIdParams,
          response: { 200: issueDetailView, 404: errorView },
        },
      },
      async (request) => {
        const { issue, comments } = await issues.show(request.params.id);
        return { issue: toIssueView(issue), comments };
      },
    );

    app.post(
      '/issues/:id/comments',
      {
        schema: {
          summary:
            'Comment on an issue; `/autodev <instruction>`, `/autodev cancel|retry|revert` act as on a hosted forge',
          params: issueIdParams,
          body: issueCommentBody,
          response: { 201: issueCommentCreatedView, 400: errorView, 404: errorView, 409: errorView },
        },
      },
      async (request, reply) => {
        const { comment, trigger } = await issues.comment(request.params.id, {
          ...request.body,
          caller: request.caller,
        });
        return reply.code(201).send({ comment, trigger: toTriggerView(trigger) });
      },
    );
  };
}
