import { AutodevError } from '../errors.js';
import type { Kysely, Selectable } from 'kysely';
import type { PullRequest, PullRequestStatus, RepoPullRequestRole } from '../domain/task.js';
import type { Database, PullRequestsTable, RepoPullRequestsTable } from './tables.js';

export type NewPullRequest = Omit<
  PullRequest,
  'created_at' | 'updated_at' | 'merge_commit' | 'status' | 'role'
>;

/** A multi-repo task's other pull request: which, and its place among the task's repositories. */
export type NewRepoPullRequest = NewPullRequest & { role: RepoPullRequestRole; ordinal: number };

/** One of a task's other pull requests, by its repository and branch. */
export interface RepoPullRequestKey {
  taskId: string;
  repo: string;
  branch: string;
}

export interface PullRequestRepository {
  getByTask(taskId: string): Promise<PullRequest | undefined>;
  /** The tasks' own (the library's) pull requests, newest first; `status` keeps only those in it. */
  list(filter: { status?: PullRequestStatus; limit: number }): Promise<PullRequest[]>;
  /**
   * Every pull request of every task, newest first: the tasks' own and a multi-repo task's others
   * (consumers', reverts'), each with its `role` (absent: the task's own). Within a task, the order
   * of `listOfTask`.
   */
  listAll(filter: { status?: PullRequestStatus; limit: number }): Promise<PullRequest[]>;
  findByBranch(repo: string, branch: string): Promise<PullRequest | undefined>;
  /** One pull request per task: a second call returns the first. */
  insertOnce(pr: NewPullRequest): Promise<PullRequest>;
  markMerged(taskId: string, mergeCommit: string): Promise<void>;
  setStatus(taskId: string, status: PullRequestStatus): Promise<void>;
  /** The branch moved (a rebase onto the base, a review round): the pull request's head is the new commit. */
  setHeadCommit(taskId: string, headCommit: string): Promise<void>;
  /**
   * Every pull request of the task: its own (the library's) first, then a multi-repo task's others in
   * the order of its repositories (consumers, then a revert of the library).
   */
  listOfTask(taskId: string): Promise<PullRequest[]>;
  /** A multi-repo task's other pull request, one per task, repository and branch: a second call returns the first. */
  insertRepoOnce(pr: NewRepoPullRequest): Promise<PullRequest>;
  getRepo(key: RepoPullRequestKey): Promise<PullRequest | undefined>;
  markRepoMerged(key: RepoPullRequestKey, mergeCommit: string): Promise<void>;
  /** A multi-repo task's other pull request closed (by a human on the forge, or with the task). */
  setRepoStatus(key: RepoPullRequestKey, status: PullRequestStatus): Promise<void>;
  /** Multi-repo tasks' other pull requests, newest first (a webhook's target is looked up among them). */
  listRepo(filter: {
    status?: PullRequestStatus;
    role?: RepoPullRequestRole;
    limit: number;
  }): Promise<PullRequest[]>;
  /** A review round or a base update pushed a new head to an open one. */
  setRepoHeadCommit(key: RepoPullRequestKey, headCommit: string): Promise<void>;
}

export function createPullRequestRepository(db: Kysely<Database>): PullRequestRepository {
  const getByTask = async (taskId: string) => {
    const row = await db
      .selectFrom('pull_requests')
      .selectAll()
      .where('task_id', '=', taskId)
      .executeTakeFirst();
    return row ? toPullRequest(row) : undefined;
  };
  const getRepo = async ({ taskId, repo, branch }: RepoPullRequestKey) => {
    const row = await db
      .selectFrom('repo_pull_requests')
      .selectAll()
      .where('task_id', '=', taskId)
      .where('repo', '=', repo)
      .where('branch', '=', branch)
      .executeTakeFirst();
    return row ? toRepoPullRequest(row) : undefined;
  };
  return {
    getByTask,
    getRepo,
    async listOfTask(taskId) {
      const [own, others] = await Promise.all([
        getByTask(taskId),
        db
          .selectFrom('repo_pull_requests')
          .selectAll()
          .where('task_id', '=', taskId)
          .orderBy('role', 'asc')
          .orderBy('ordinal', 'asc')
          .orderBy('created_at', 'asc')
          .execute(),
      ]);
      return [...(own ? [own] : []), ...others.map(toRepoPullRequest)];
    },
    async insertRepoOnce(pr) {
      const at = new Date().toISOString();
      await db
        .insertInto('repo_pull_requests')
        .values({ ...pr, status: 'open', merge_commit: null, created_at: at, updated_at: at })
        .onConflict((oc) => oc.columns(['task_id', 'repo', 'branch']).doNothing())
        .execute();
      const stored = await getRepo({ taskId: pr.task_id, repo: pr.repo, branch: pr.branch });
      if (!stored) throw new Error(`pull request of task ${pr.task_id} in ${pr.repo} vanished`);
      return stored;
    },
    async markRepoMerged({ taskId, repo, branch }, mergeCommit) {
      await db
        .updateTable('repo_pull_requests')
        .set({ status: 'merged', merge_commit: mergeCommit, updated_at: new Date().toISOString() })
        .where('task_id', '=', taskId)
        .where('repo', '=', repo)
        .where('branch', '=', branch)
        .execute();
    },
    async setRepoStatus({ taskId, repo, branch }, status) {
      await db
        .updateTable('repo_pull_requests')
        .set({ status, updated_at: new Date().toISOString() })
        .where('task_id', '=', taskId)
        .where('repo', '=', repo)
        .where('branch', '=', branch)
        .execute();
    },
    async listRepo({ status, role, limit }) {
      let query = db
        .selectFrom('repo_pull_requests')
        .selectAll()
        .orderBy('created_at', 'desc')
        .orderBy('task_id', 'desc');
      if (status) query = query.where('status', '=', status);
      if (role) query = query.where('role', '=', role);
      const rows = await query.limit(limit).execute();
      return rows.map(toRepoPullRequest);
    },
    async setRepoHeadCommit({ taskId, repo, branch }, headCommit) {
      await db
        .updateTable('repo_pull_requests')
        .set({ head_commit: headCommit, updated_at: new Date().toISOString() })
        .where('task_id', '=', taskId)
        .where('repo', '=', repo)
        .where('branch', '=', branch)
        .where('status', '=', 'open')
        .execute();
    },
    async list({ status, limit }) {
      let query = db
        .selectFrom('pull_requests')
        .selectAll()
        .orderBy('created_at', 'desc')
        .orderBy('task_id', 'desc');
      if (status) query = query.where('status', '=', status);
      const rows = await query.limit(limit).execute();
      return rows.map(toPullRequest);
    },
    async listAll({ status, limit }) {
      // Two index walks (migrations 011 and 016), each of at most `limit` rows, merged here: the
      // first page costs the same on both dialects however long the history.
      let own = db
        .selectFrom('pull_requests')
        .selectAll()
        .orderBy('created_at', 'desc')
        .orderBy('task_id', 'desc');
      let others = db
        .selectFrom('repo_pull_requests')
        .selectAll()
        .orderBy('created_at', 'desc')
        .orderBy('task_id', 'desc');
      if (status) {
        own = own.where('status', '=', status);
        others = others.where('status', '=', status);
      }
      const [ownRows, otherRows] = await Promise.all([
        own.limit(limit).execute(),
        others.limit(limit).execute(),
      ]);
      const rows = [
        ...ownRows.map((row) => ({ pr: toPullRequest(row), rank: -1 })),
        ...otherRows.map((row) => ({ pr: toRepoPullRequest(row), rank: rankOf(row) })),
      ];
      rows.sort(
        (a, b) =>
          compareDesc(a.pr.created_at, b.pr.created_at) ||
          compareDesc(a.pr.task_id, b.pr.task_id) ||
          a.rank - b.rank,
      );
      return rows.slice(0, limit).map((r) => r.pr);
    },
    async findByBranch(repo, branch) {
      const row = await db
        .selectFrom('pull_requests')
        .selectAll()
        .where('repo', '=', repo)
        .where('branch', '=', branch)
        .executeTakeFirst();
      return row ? toPullRequest(row) : undefined;
    },
    async insertOnce(pr) {
      const at = new Date().toISOString();
      const task = await db.selectFrom('tasks').select('id').where('id', '=', pr.task_id).executeTakeFirst();
      // A pull request belongs to a task autodev knows (`autodev tools run git_pr` names one by hand).
      if (!task) {
        throw new AutodevError(
          'TASK_NOT_FOUND',
          `task_id ${JSON.stringify(pr.task_id)} is not a task of this autodev`,
          {
            details: { field: 'task_id', value: pr.task_id },
          },
        );
      }
      await db
        .insertInto('pull_requests')
        .values({ ...pr, status: 'open', merge_commit: null, created_at: at, updated_at: at })
        .onConflict((oc) => oc.column('task_id').doNothing())
        .execute();
      const stored = await getByTask(pr.task_id);
      if (!stored) throw new Error(`pull request of task ${pr.task_id} vanished`);
      return stored;
    },
    async markMerged(taskId, mergeCommit) {
      await db
        .updateTable('pull_requests')
        .set({ status: 'merged', merge_commit: mergeCommit, updated_at: new Date().toISOString() })
        .where('task_id', '=', taskId)
        .execute();
    },
    async setStatus(taskId, status) {
      await db
        .updateTable('pull_requests')
        .set({ status, updated_at: new Date().toISOString() })
        .where('task_id', '=', taskId)
        .execute();
    },
    async setHeadCommit(taskId, headCommit) {
      await db
        .updateTable('pull_requests')
        .set({ head_commit: headCommit, updated_at: new Date().toISOString() })
        .where('task_id', '=', taskId)
        .where('status', '=', 'open')
        .execute();
    },
  };
}

const compareDesc = (a: string, b: string) => (a < b ? 1 : a > b ? -1 : 0);

/** A task's other pull requests after its own: consumers before reverts, each in the task's order. */
function rankOf(row: Selectable<RepoPullRequestsTable>): number {
  return (row.role === 'revert' ? 1_000 : 0) + row.ordinal;
}

function toPullRequest(row: Selectable<PullRequestsTable>): PullRequest {
  return { ...row, status: row.status as PullRequestStatus };
}

function toRepoPullRequest(row: Selectable<RepoPullRequestsTable>): PullRequest {
  const { ordinal: _ordinal, ...rest } = row;
  return { ...rest, status: row.status as PullRequestStatus, role: row.role as RepoPullRequestRole };
}
