import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import type { Runtime } from '../../runtime/create-runtime.js';
import { errorView } from '../schemas/task.js';
import { repoUpdatesView, scanResultView, scanUpdatesBody, updatesQuery } from '../schemas/updates.js';

/** Dependency updates: a scan now (tasks, one per group) and the state per repository. */
export function updatesRoutes(runtime: Runtime): FastifyPluginAsyncZod {
  return async (app) => {
    app.post(
      '/updates',
      {
        schema: {
          summary: 'Scan a repository for dependency updates now; answers with the tasks it created',
          body: scanUpdatesBody,
          response: {
            200: scanResultView,
            400: errorView,
            403: errorView,
            422: errorView,
            502: errorView,
            503: errorView,
          },
        },
      },
      async (request) => runtime.updates.scan(request.body),
    );

    app.get(
      '/updates',
      {
        schema: {
          summary: "A repository's dependency updates: the last scan (found, skipped) and each group's task",
          querystring: updatesQuery,
          response: { 200: repoUpdatesView, 400: errorView },
        },
      },
      async (request) => runtime.updates.state(request.query.repo),
    );
  };
}
