import type { Kysely, Selectable } from 'kysely';
import type { ReviewRound, ReviewRoundStatus } from '../domain/task.js';
import type { Redact } from '../secrets/redact.js';
import type { Database, ReviewRoundsTable } from './tables.js';

export interface ReviewRoundRepository {
  /**
   * Requests round `round`; false when it was requested already (by a concurrent webhook or poll):
   * the primary key (task_id, round) decides who starts it.
   */
  request(round: {
    task_id: string;
    round: number;
    through_review_id: number;
    from_commit: string;
  }): Promise<boolean>;
  /** Rounds of a task, oldest first. */
  list(taskId: string): Promise<ReviewRound[]>;
  /** The task's round still to run (requested, or interrupted by a crash), if any. */
  pending(taskId: string): Promise<ReviewRound | undefined>;
  finish(
    taskId: string,
    round: number,
    outcome: { status: Exclude<ReviewRoundStatus, 'pending'>; commit?: string; error?: string },
  ): Promise<void>;
}

export function createReviewRoundRepository(db: Kysely<Database>, redact: Redact): ReviewRoundRepository {
  return {
    async request(round) {
      const result = await db
        .insertInto('review_rounds')
        .values({
          ...round,
          status: 'pending',
          commit: null,
          error: null,
          created_at: new Date().toISOString(),
          finished_at: null,
        })
        .onConflict((oc) => oc.columns(['task_id', 'round']).doNothing())
        .executeTakeFirst();
      return Number(result.numInsertedOrUpdatedRows ?? 0n) > 0;
    },
    async list(taskId) {
      const rows = await db
        .selectFrom('review_rounds')
        .selectAll()
        .where('task_id', '=', taskId)
        .orderBy('round')
        .execute();
      return rows.map(toRound);
    },
    async pending(taskId) {
      const row = await db
        .selectFrom('review_rounds')
        .selectAll()
        .where('task_id', '=', taskId)
        .where('status', '=', 'pending')
        .orderBy('round')
        .executeTakeFirst();
      return row ? toRound(row) : undefined;
    },
    async finish(taskId, round, outcome) {
      await db
        .updateTable('review_rounds')
        .set({
          status: outcome.status,
          commit: outcome.commit ?? null,
          error: outcome.error === undefined ? null : redact(outcome.error),
          finished_at: new Date().toISOString(),
        })
        .where('task_id', '=', taskId)
        .where('round', '=', round)
        .execute();
    },
  };
}

function toRound(row: Selectable<ReviewRoundsTable>): ReviewRound {
  return { ...row, status: row.status as ReviewRoundStatus };
}
