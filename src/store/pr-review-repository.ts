import type { Kysely, Selectable } from 'kysely';
import type { PrReview, PrReviewKind } from '../domain/task.js';
import type { Redact } from '../secrets/redact.js';
import type { Database, PrReviewsTable } from './tables.js';

export interface PrReviewRepository {
  append(review: {
    task_id: string;
    kind: PrReviewKind;
    by: string;
    comment: string | null;
  }): Promise<PrReview>;
  /** A pull request's reviews, oldest first. */
  list(taskId: string): Promise<PrReview[]>;
}

export function createPrReviewRepository(db: Kysely<Database>, redact: Redact): PrReviewRepository {
  return {
    async append(review) {
      const created_at = new Date().toISOString();
      const comment = review.comment === null ? null : redact(review.comment);
      const inserted = await db
        .insertInto('pr_reviews')
        .values({ ...review, comment, created_at })
        .returning('id')
        .executeTakeFirstOrThrow();
      return { ...review, comment, id: inserted.id, created_at };
    },
    async list(taskId) {
      const rows = await db
        .selectFrom('pr_reviews')
        .selectAll()
        .where('task_id', '=', taskId)
        .orderBy('id')
        .execute();
      return rows.map(toReview);
    },
  };
}

function toReview(row: Selectable<PrReviewsTable>): PrReview {
  return { ...row, kind: row.kind as PrReviewKind };
}
