import type { Kysely } from 'kysely';
import type { CommandLog } from '../domain/task.js';
import type { Redact } from '../secrets/redact.js';
import { boundText } from './bounded-text.js';
import type { Database } from './tables.js';

export interface CommandLogRepository {
  append(taskId: string, stepKey: string, stream: CommandLog['stream'], content: string): Promise<void>;
  list(taskId: string, options?: { afterId?: number; limit?: number }): Promise<CommandLog[]>;
}

export function createCommandLogRepository(db: Kysely<Database>, redact: Redact): CommandLogRepository {
  return {
    async append(taskId, stepKey, stream, content) {
      if (content.length === 0) return;
      await db
        .insertInto('command_logs')
        .values({
          task_id: taskId,
          step_key: stepKey,
          stream,
          content: redact(boundText(content)),
          created_at: new Date().toISOString(),
        })
        .execute();
    },
    async list(taskId, options = {}) {
      const rows = await db
        .selectFrom('command_logs')
        .selectAll()
        .where('task_id', '=', taskId)
        .where('id', '>', options.afterId ?? 0)
        .orderBy('id')
        .limit(options.limit ?? 1000)
        .execute();
      return rows.map((r) => ({ ...r, stream: r.stream === 'stderr' ? 'stderr' : 'stdout' }));
    },
  };
}
