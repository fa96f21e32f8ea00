import type { Kysely, Selectable } from 'kysely';
import type { PrReview, PrReviewKind } from '../domain/task.js';
import type { Redact } from '../secrets/redact.js';
import type { Database, PrReviewsTable } from './tables.js';

export interface NewPrReview {
  task_id: string;
  kind: PrReviewKind;
  by: string;
  comment: string | null;
  forge_item_id?: string | null;
  path?: string | null;
  line?: number | null;
  /** A consumer's pull request the act was made on (multi-repo task); absent: the library's. */
  repo?: string | null;
}

export interface PrReviewRepository {
  append(review: NewPrReview): Promise<PrReview>;
  /**
   * Records a forge's act once: undefined when (task_id, forge_item_id) is already there. The unique
   * index decides, so of a webhook and a poll reporting the same review exactly one records it.
   */
  appendOnce(review: NewPrReview & { forge_item_id: string }): Promise<PrReview | undefined>;
  /** A pull request's reviews, oldest first. */
  list(taskId: string): Promise<PrReview[]>;
}

export function createPrReviewRepository(db: Kysely<Database>, redact: Redact): PrReviewRepository {
  const insert = async (review: NewPrReview, once: boolean): Promise<PrReview | undefined> => {
    const created_at = new Date().toISOString();
    const row = {
      task_id: review.task_id,
      kind: review.kind,
      by: review.by,
      comment: review.comment === null ? null : redact(review.comment),
      forge_item_id: review.forge_item_id ?? null,
      path: review.path ?? null,
      line: review.line ?? null,
      repo: review.repo ?? null,
      created_at,
    };
    let query = db.insertInto('pr_reviews').values(row);
    if (once) query = query.onConflict((oc) => oc.columns(['task_id', 'forge_item_id']).doNothing());
    const inserted = await query.returning('id').executeTakeFirst();
    return inserted ? { ...row, kind: review.kind, id: inserted.id } : undefined;
  };
  return {
    async append(review) {
      const stored = await insert(review, false);
      if (!stored) throw new Error(`review of task ${review.task_id} was not stored`);
      return stored;
    },
    appendOnce: (review) => insert(review, true),
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
