import type { Kysely, Selectable } from 'kysely';
import type { ConversationTurn } from '../domain/task.js';
import type { ChatMessage, ModelResponse } from '../llm/types.js';
import { redactDeep, type Redact } from '../secrets/redact.js';
import { boundDeep } from './bounded-text.js';
import type { ConversationTurnsTable, Database } from './tables.js';

/**
 * One conversation text kept per message: tool outputs are capped by the toolbox long before this,
 * so only a hostile reply reaches it, and the context shortening cuts old outputs anyway.
 */
const MAX_MESSAGE_CHARS = 64 * 1024;

export type NewConversationTurn = Omit<ConversationTurn, 'task_id' | 'created_at'>;

export interface ConversationRepository {
  /** Appends a finished turn (redacted, bounded); a second turn with the same seq is refused. */
  append(taskId: string, turn: NewConversationTurn): Promise<ConversationTurn>;
  /** The task's turns, oldest first. */
  list(taskId: string): Promise<ConversationTurn[]>;
}

export function createConversationRepository(db: Kysely<Database>, redact: Redact): ConversationRepository {
  return {
    async append(taskId, turn) {
      const created_at = new Date().toISOString();
      const messages = redactDeep(boundDeep(turn.messages, MAX_MESSAGE_CHARS), redact);
      const reply = redactDeep(boundDeep(turn.reply, MAX_MESSAGE_CHARS), redact);
      await db
        .insertInto('conversation_turns')
        .values({
          task_id: taskId,
          seq: turn.seq,
          round: turn.round,
          request_hash: turn.request_hash,
          messages_json: JSON.stringify(messages),
          reply_json: JSON.stringify(reply),
          workspace_commit: turn.workspace_commit,
          stop_reason: turn.stop_reason,
          created_at,
        })
        .execute();
      return { ...turn, messages, reply, task_id: taskId, created_at };
    },

    async list(taskId) {
      const rows = await db
        .selectFrom('conversation_turns')
        .selectAll()
        .where('task_id', '=', taskId)
        .orderBy('seq')
        .execute();
      return rows.map(toTurn);
    },
  };
}

function toTurn(row: Selectable<ConversationTurnsTable>): ConversationTurn {
  return {
    task_id: row.task_id,
    seq: row.seq,
    round: row.round,
    request_hash: row.request_hash,
    messages: JSON.parse(row.messages_json) as ChatMessage[],
    reply: JSON.parse(row.reply_json) as ModelResponse,
    workspace_commit: row.workspace_commit,
    stop_reason: row.stop_reason as ConversationTurn['stop_reason'],
    created_at: row.created_at,
  };
}
