import type { Kysely } from 'kysely';
import type { Database, IssueTasksTable } from './tables.js';

export type IssueTask = IssueTasksTable;

/** Which tasks a forge issue started, and the keys of the triggers already taken. */
export interface IssueTaskRepository {
  link(row: Omit<IssueTask, 'created_at' | 'status_comment_id'>): Promise<void>;
  getByTask(taskId: string): Promise<IssueTask | undefined>;
  /** The issue's tasks, newest first. */
  listForIssue(forge: string, repoNormalized: string, issueNumber: number): Promise<IssueTask[]>;
  setStatusComment(taskId: string, commentId: string): Promise<void>;
  /** Task ids of every link (for re-watching unfinished ones after a restart). */
  allTaskIds(): Promise<string[]>;
  /**
   * Records a trigger's key; false when it was recorded before (a delivery sent again, or seen by
   * both a webhook and a poll). The primary key decides, so two racing deliveries take it once.
   */
  takeOnce(key: string): Promise<boolean>;
  /** Where the trigger poller got to for `source` (`forge:repo`), or undefined before its first poll. */
  pollCursor(source: string): Promise<string | undefined>;
  setPollCursor(source: string, cursor: string): Promise<void>;
}

export function createIssueTaskRepository(db: Kysely<Database>): IssueTaskRepository {
  return {
    async link(row) {
      await db
        .insertInto('issue_tasks')
        .values({ ...row, status_comment_id: null, created_at: new Date().toISOString() })
        .execute();
    },
    getByTask: (taskId) =>
      db.selectFrom('issue_tasks').selectAll().where('task_id', '=', taskId).executeTakeFirst(),
    listForIssue: (forge, repoNormalized, issueNumber) =>
      db
        .selectFrom('issue_tasks')
        .selectAll()
        .where('forge', '=', forge)
        .where('repo_normalized', '=', repoNormalized)
        .where('issue_number', '=', issueNumber)
        .orderBy('created_at', 'desc')
        .execute(),
    async setStatusComment(taskId, commentId) {
      await db
        .updateTable('issue_tasks')
        .set({ status_comment_id: commentId })
        .where('task_id', '=', taskId)
        .execute();
    },
    async allTaskIds() {
      const rows = await db.selectFrom('issue_tasks').select('task_id').execute();
      return rows.map((r) => r.task_id);
    },
    async takeOnce(key) {
      const inserted = await db
        .insertInto('trigger_deliveries')
        .values({ key, received_at: new Date().toISOString() })
        .onConflict((oc) => oc.column('key').doNothing())
        .returning('key')
        .executeTakeFirst();
      return inserted !== undefined;
    },
    async pollCursor(source) {
      const row = await db
        .selectFrom('trigger_poll_cursors')
        .select('cursor')
        .where('source', '=', source)
        .executeTakeFirst();
      return row?.cursor;
    },
    async setPollCursor(source, cursor) {
      const updated_at = new Date().toISOString();
      await db
        .insertInto('trigger_poll_cursors')
        .values({ source, cursor, updated_at })
        .onConflict((oc) => oc.column('source').doUpdateSet({ cursor, updated_at }))
        .execute();
    },
  };
}
