import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { AutodevError } from '../../errors.js';
import type { Runtime } from '../../runtime/create-runtime.js';
import {
  createTaskBody,
  errorView,
  listTasksQuery,
  taskIdParams,
  taskListView,
  taskView,
} from '../schemas/task.js';
import { repoLookupName } from '../../workspace/repo-ref.js';
import { toTaskSummary, toTaskView } from '../task-view.js';

export function tasksRoutes(runtime: Runtime): FastifyPluginAsyncZod {
  const { store } = runtime;

  // The three reads go out together: on PostgreSQL each is a round trip, and a missing task's
  // steps and pull request are simply empty.
  const loadView = async (id: string) => {
    const [task, steps, prs] = await Promise.all([
      store.tasks.get(id),
      store.steps.list(id),
      store.pullRequests.listOfTask(id),
    ]);
    if (!task) throw new AutodevError('TASK_NOT_FOUND', `no task with id ${id}`);
    return toTaskView(task, steps, prs);
  };

  return async (app) => {
    app.post(
      '/tasks',
      {
        schema: {
          summary: 'Submit a task',
          body: createTaskBody,
          response: { 201: taskView, 400: errorView, 403: errorView, 503: errorView },
        },
      },
      async (request, reply) => {
        const { repos, repo, base_branch: baseBranch, ...body } = request.body;
        // The body's check guarantees repo or repos with one library: the task's repo is the library's.
        const library = repos?.find((entry) => entry.role === 'library');
        const task = await runtime.tasks.submit({
          ...body,
          repo: library?.repo ?? repo ?? '',
          base_branch: library?.base_branch ?? baseBranch ?? 'main',
          ...(repos ? { repos } : {}),
          risk_tier: body.risk_tier ?? runtime.config.default_risk_tier,
        });
        return reply.code(201).send(toTaskView(task, [], []));
      },
    );

    app.get(
      '/tasks',
      {
        schema: {
          summary: 'List tasks, newest first',
          querystring: listTasksQuery,
          response: { 200: taskListView },
        },
      },
      async (request) => {
        // Any spelling of the repository (https, ssh, git@host:, its name) finds its tasks.
        const { repo, ...filter } = request.query;
        const { tasks, nextCursor } = await store.tasks.listSummaries({
          ...filter,
          ...(repo ? { repo: repoLookupName(repo) } : {}),
        });
        return { tasks: tasks.map(toTaskSummary), next_cursor: nextCursor };
      },
    );

    app.get(
      '/tasks/:id',
      {
        schema: {
          summary: 'A task with its plan, steps and pull request',
          params: taskIdParams,
          response: { 200: taskView, 404: errorView },
        },
      },
      async (request) => loadView(request.params.id),
    );

    app.post(
      '/tasks/:id/cancel',
      {
        schema: {
          summary: 'Cancel a task',
          params: taskIdParams,
          response: { 202: taskView, 404: errorView, 409: errorView },
        },
      },
      async (request, reply) => {
        await runtime.tasks.cancel(request.params.id);
        return reply.code(202).send(await loadView(request.params.id));
      },
    );

    app.post(
      '/tasks/:id/revert',
      {
        schema: {
          summary: "Open a pull request reverting a merged task's merge (a revert task; idempotent)",
          params: taskIdParams,
          response: { 200: taskView, 201: taskView, 404: errorView, 409: errorView },
        },
      },
      async (request, reply) => {
        const { task, created } = await runtime.tasks.revert(request.params.id);
        // 201 for the revert this call made; 200 for the one an earlier call made.
        return reply.code(created ? 201 : 200).send(await loadView(task.id));
      },
    );
  };
}
