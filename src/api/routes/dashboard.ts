import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import type { TaskEvent } from '../../domain/task.js';
import { AutodevError } from '../../errors.js';
import type { Runtime } from '../../runtime/create-runtime.js';
import type { EventStreamSlots } from '../event-stream-slots.js';
import { allEventsQuery, diffView, overviewQuery, overviewView } from '../schemas/dashboard.js';
import { errorView, taskIdParams } from '../schemas/task.js';

/** What the dashboard reads beyond the task routes: the overview, a task's diff, every task's changes live. */
export function dashboardRoutes(runtime: Runtime, slots: EventStreamSlots): FastifyPluginAsyncZod {
  const { store } = runtime;
  return async (app) => {
    app.get(
      '/overview',
      {
        schema: {
          summary:
            'Across all tasks: tasks by status, success rate, median duration, cost per day, policy denials by code, slowest steps by tool',
          querystring: overviewQuery,
          response: { 200: overviewView },
        },
      },
      async (request) => store.overview.compute(request.query),
    );

    app.get(
      '/tasks/:id/diff',
      {
        schema: {
          summary: "The change of each of the task's codegen rounds as a unified diff (redacted)",
          params: taskIdParams,
          response: { 200: diffView, 404: errorView },
        },
      },
      async (request) => {
        const [task, steps] = await Promise.all([
          store.tasks.get(request.params.id),
          store.steps.list(request.params.id),
        ]);
        if (!task) throw new AutodevError('TASK_NOT_FOUND', `no task with id ${request.params.id}`);
        const rounds = steps
          .filter((s) => s.tool === 'codegen' && s.status === 'succeeded')
          .map((s) => ({ step_key: s.key, ...codegenChange(s.output) }));
        return { rounds };
      },
    );

    app.get(
      '/events',
      {
        schema: {
          summary:
            'Server-sent events of every task: task.created and task.status_changed, each with its task_id (for live task lists)',
          querystring: allEventsQuery,
          response: { 400: errorView },
        },
      },
      async (request, reply) => {
        const release = slots.acquire(request.ip);
        reply.hijack();
        const raw = reply.raw;
        raw.writeHead(200, {
          'content-type': 'text/event-stream',
          'cache-control': 'no-cache',
          'x-content-type-options': 'nosniff',
          connection: 'keep-alive',
        });
        const send = (e: TaskEvent) => {
          if (e.type !== 'task.created' && e.type !== 'task.status_changed') return;
          const view = { id: e.id, task_id: e.task_id, type: e.type, data: e.data, created_at: e.created_at };
          raw.write(`id: ${e.id}\nevent: ${e.type}\ndata: ${JSON.stringify(view)}\n\n`);
        };
        const unsubscribe = store.events.subscribeAll(send);
        // A comment at once: the client knows it is connected (and proxies flush the headers).
        raw.write(': connected\n\n');
        const keepAlive = setInterval(() => raw.write(': keep-alive\n\n'), 15_000);
        let closed = false;
        request.raw.on('close', () => {
          if (closed) return;
          closed = true;
          release();
          clearInterval(keepAlive);
          unsubscribe();
          raw.end();
        });
      },
    );
  };
}

/** The reviewable part of a codegen checkpoint; anything missing reads as empty (older checkpoints). */
function codegenChange(output: unknown): { files: string[]; patch: string; final_text: string } {
  const o = (typeof output === 'object' && output !== null ? output : {}) as Record<string, unknown>;
  return {
    files: Array.isArray(o.files) ? o.files.filter((f): f is string => typeof f === 'string') : [],
    patch: typeof o.patch === 'string' ? o.patch : '',
    final_text: typeof o.final_text === 'string' ? o.final_text : '',
  };
}
