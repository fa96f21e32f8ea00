import type { Kysely, Selectable } from 'kysely';
import type { EventType, TaskEvent } from '../domain/task.js';
import { redactDeep, type Redact } from '../secrets/redact.js';
import { boundDeep } from './bounded-text.js';
import type { Database, EventsTable } from './tables.js';

export type EventListener = (event: TaskEvent) => void;

export interface EventRepository {
  /** Appends to the audit trail (redacted) and tells live subscribers. */
  append(taskId: string, type: EventType, data?: Record<string, unknown>): Promise<TaskEvent>;
  list(taskId: string, options?: { afterId?: number; limit?: number }): Promise<TaskEvent[]>;
  /** Live events of one task, for server-sent events; returns the unsubscribe function. */
  subscribe(taskId: string, listener: EventListener): () => void;
  /** Live events of every task (the dashboard's task list); returns the unsubscribe function. */
  subscribeAll(listener: EventListener): () => void;
}

/**
 * The `code` of each entry of a decision's `deny` list, as the overview counts them: a string as
 * it is, another value as its JSON, null for an entry without one (or that is no object).
 */
function denialCodes(data: Record<string, unknown>): (string | null)[] {
  const deny = data.deny;
  if (!Array.isArray(deny)) return [];
  return deny.map((entry: unknown) => {
    if (typeof entry !== 'object' || entry === null || Array.isArray(entry)) return null;
    const code = (entry as Record<string, unknown>).code;
    if (code === undefined || code === null) return null;
    return typeof code === 'string' ? code : JSON.stringify(code);
  });
}

export function createEventRepository(db: Kysely<Database>, redact: Redact): EventRepository {
  const listeners = new Map<string, Set<EventListener>>();
  const everyTask = new Set<EventListener>();

  return {
    async append(taskId, type, data = {}) {
      const created_at = new Date().toISOString();
      const safe = redactDeep(boundDeep(data), redact);
      const row = { task_id: taskId, type, data_json: JSON.stringify(safe), created_at };
      const denials = type === 'policy.decision' ? denialCodes(safe) : [];
      const insert = (into: Kysely<Database>) =>
        into.insertInto('events').values(row).returning('id').executeTakeFirstOrThrow();
      // A decision's denial codes go in with it, so the overview counts them without parsing JSON.
      const inserted =
        denials.length === 0
          ? await insert(db)
          : await db.transaction().execute(async (trx) => {
              const event = await insert(trx);
              await trx
                .insertInto('policy_denials')
                .values(denials.map((code, entry) => ({ event_id: event.id, entry, code })))
                .execute();
              return event;
            });
      const event: TaskEvent = { id: inserted.id, task_id: taskId, type, data: safe, created_at };
      for (const listener of listeners.get(taskId) ?? []) listener(event);
      for (const listener of everyTask) listener(event);
      return event;
    },

    async list(taskId, options = {}) {
      const rows = await db
        .selectFrom('events')
        .selectAll()
        .where('task_id', '=', taskId)
        .where('id', '>', options.afterId ?? 0)
        .orderBy('id')
        .limit(options.limit ?? 10_000)
        .execute();
      return rows.map(toEvent);
    },

    subscribe(taskId, listener) {
      let set = listeners.get(taskId);
      if (!set) listeners.set(taskId, (set = new Set()));
      set.add(listener);
      return () => {
        set.delete(listener);
        if (set.size === 0) listeners.delete(taskId);
      };
    },

    subscribeAll(listener) {
      everyTask.add(listener);
      return () => everyTask.delete(listener);
    },
  };
}

function toEvent(row: Selectable<EventsTable>): TaskEvent {
  return {
    id: row.id,
    task_id: row.task_id,
    type: row.type as EventType,
    data: JSON.parse(row.data_json) as Record<string, unknown>,
    created_at: row.created_at,
  };
}
