import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { AutodevError } from '../../errors.js';
import { isTerminal, TASK_STATUSES, type TaskEvent, type TaskStatus } from '../../domain/task.js';
import type { Runtime } from '../../runtime/create-runtime.js';
import type { EventStreamSlots } from '../event-stream-slots.js';
import {
  errorView,
  eventListView,
  eventsQuery,
  logListView,
  logsQuery,
  taskIdParams,
} from '../schemas/task.js';

/** `slots` is shared with the dashboard's stream of every task: the caps count all open streams. */
export function eventsRoutes(runtime: Runtime, slots: EventStreamSlots): FastifyPluginAsyncZod {
  const { store } = runtime;
  const requireTask = async (id: string) => {
    const task = await store.tasks.get(id);
    if (!task) throw new AutodevError('TASK_NOT_FOUND', `no task with id ${id}`);
    return task;
  };
  const view = (e: TaskEvent) => ({ id: e.id, type: e.type, data: e.data, created_at: e.created_at });

  return async (app) => {
    app.get(
      '/tasks/:id/events',
      {
        schema: {
          summary:
            'The audit trail of a task; as server-sent events with Accept: text/event-stream or ?stream=true',
          params: taskIdParams,
          querystring: eventsQuery,
          response: { 200: eventListView, 404: errorView },
        },
      },
      async (request, reply) => {
        const wantsStream =
          request.query.stream === 'true' || (request.headers.accept ?? '').includes('text/event-stream');
        if (!wantsStream) {
          // Task and events read together (one round trip on PostgreSQL, not two in a row).
          const [, events] = await Promise.all([
            requireTask(request.params.id),
            store.events.list(request.params.id, { afterId: request.query.after }),
          ]);
          return { events: events.map(view) };
        }
        const task = await requireTask(request.params.id);
        // A slot before the socket is taken over: a full server answers with a JSON error, not a stream.
        const release = slots.acquire(request.ip);
        // Live stream: what is stored first, then each new event as it is appended, until the task ends.
        reply.hijack();
        const raw = reply.raw;
        raw.writeHead(200, {
          'content-type': 'text/event-stream',
          'cache-control': 'no-cache',
          connection: 'keep-alive',
        });
        let lastId = request.query.after;
        const send = (e: TaskEvent) => {
          if (e.id <= lastId) return;
          lastId = e.id;
          raw.write(`id: ${e.id}\nevent: ${e.type}\ndata: ${JSON.stringify(view(e))}\n\n`);
        };
        const pending: TaskEvent[] = [];
        let replaying = true;
        const unsubscribe = store.events.subscribe(task.id, (e) => {
          if (replaying) pending.push(e);
          else {
            send(e);
            if (e.type === 'task.status_changed' && endsTask(e.data.to)) close();
          }
        });
        const keepAlive = setInterval(() => raw.write(': keep-alive\n\n'), 15_000);
        const close = () => {
          release();
          clearInterval(keepAlive);
          unsubscribe();
          raw.end();
        };
        request.raw.on('close', close);
        for (const e of await store.events.list(task.id, { afterId: lastId })) send(e);
        replaying = false;
        for (const e of pending) send(e);
        const current = await store.tasks.get(task.id);
        if (current && isTerminal(current.status)) close();
      },
    );

    app.get(
      '/tasks/:id/logs',
      {
        schema: {
          summary: "The output of the task's commands, redacted",
          params: taskIdParams,
          querystring: logsQuery,
          response: { 200: logListView, 404: errorView },
        },
      },
      async (request) => {
        const [, logs] = await Promise.all([
          requireTask(request.params.id),
          store.logs.list(request.params.id, { afterId: request.query.after, limit: request.query.limit }),
        ]);
        return {
          logs: logs.map((l) => ({
            id: l.id,
            step_key: l.step_key,
            stream: l.stream,
            content: l.content,
            created_at: l.created_at,
          })),
        };
      },
    );
  };
}

function endsTask(status: unknown): boolean {
  return TASK_STATUSES.includes(status as TaskStatus) && isTerminal(status as TaskStatus);
}
