import type { UpdateCandidate } from '../updates/types.js';
import { type Kysely, type Selectable, sql } from 'kysely';
import { monotonicFactory } from 'ulid';
import type { RiskTier } from '../config/schema.js';
import {
  ACTIVE_STATUSES,
  type Plan,
  type Task,
  type TaskCost,
  type TaskError,
  type TaskInput,
  type TaskRepo,
  type TaskStatus,
  type TaskSummary,
  TERMINAL_STATUSES,
} from '../domain/task.js';
import type { Redact } from '../secrets/redact.js';
import type { SqlDialect } from './migrations/dialect.js';
import type { Database, TasksTable } from './tables.js';

export interface TaskFilter {
  status?: TaskStatus;
  /** The repository's normalized name (`repo_normalized`; workspace/repo-ref.ts repoLookupName). */
  repo?: string;
  risk_tier?: RiskTier;
  /** Id of the last task of the previous page; tasks come newest first. */
  cursor?: string;
  limit: number;
}

/** The update group a dependency update task makes (store/dependency-update-repository.ts reads it). */
export interface NewDependencyUpdate {
  group_key: string;
  updates: UpdateCandidate[];
  repair: boolean;
}

export interface TaskPatch {
  status?: TaskStatus;
  plan?: Plan;
  branch?: string;
  error?: TaskError | null;
  started_at?: string;
  finished_at?: string;
}

export interface ClaimOptions {
  owner: string;
  leaseMs: number;
  /** Tasks already running in this process are not claimed again. */
  excludeIds: readonly string[];
}

export interface TaskRepository {
  /**
   * Stores a queued task; with `dependency_update`, its update group in the same transaction, so the
   * scheduler never claims an update task it cannot tell from any other.
   */
  create(
    input: Omit<TaskInput, 'repos'> & {
      repo_normalized: string;
      /** Every repository of a multi-repo task, the library first; one entry or none for one repository. */
      repos?: TaskRepo[];
      reverts_task_id?: string;
      branch?: string;
      dependency_update?: NewDependencyUpdate;
    },
  ): Promise<Task>;
  /** The task that reverts `taskId`, if one was made. */
  findRevertOf(taskId: string): Promise<Task | undefined>;
  get(id: string): Promise<Task | undefined>;
  list(filter: TaskFilter): Promise<{ tasks: Task[]; nextCursor: string | null }>;
  /**
   * The same page as `list`, only the columns a task list shows: a page of 50 to 200 rows without
   * the description, plan and JSON columns read and parsed (GET /tasks at a high rate, issue #20).
   */
  listSummaries(filter: TaskFilter): Promise<{ tasks: TaskSummary[]; nextCursor: string | null }>;
  update(id: string, patch: TaskPatch): Promise<Task>;
  /**
   * Counts one more run of the task (the temporal engine's; the embedded scheduler's claim counts its
   * own) and returns it with the new count; undefined when there is no such task.
   */
  countAttempt(id: string): Promise<Task | undefined>;
  /**
   * Atomically takes the next task to run: a queued one, or an active one whose owner's lease expired
   * (its process died). Fair across repos: the repo with the fewest running tasks goes first.
   */
  claimNext(options: ClaimOptions): Promise<Task | undefined>;
  renewLease(id: string, owner: string, leaseMs: number): Promise<boolean>;
  releaseLease(id: string, owner: string): Promise<void>;
  /** Records a cancel request; false (nothing recorded) once the task's merge has begun. */
  requestCancel(id: string): Promise<boolean>;
  /**
   * The merge's commit point: true when the merge may start (or already had), false when a cancel
   * was requested first. Exclusive with requestCancel: of the two, only the first one wins.
   */
  beginMerge(id: string): Promise<boolean>;
  /** Ends a task that no worker has claimed yet; false when one already has (it sees the cancel request). */
  cancelIfUnclaimed(id: string, error: TaskError): Promise<boolean>;
  /**
   * Moves a task from `from` to `to` only if it is still in `from`: of two reports acting on the
   * same task (a webhook and a poll), one wins. `to` queued clears the lease and the end time.
   */
  transition(id: string, from: TaskStatus, to: TaskStatus, error?: TaskError | null): Promise<boolean>;
  /** Ids of tasks not yet in a terminal state. */
  listUnfinishedIds(): Promise<string[]>;
  /** Lease owners of unfinished tasks, to find those whose process died. */
  listLeaseOwners(): Promise<string[]>;
  /** Makes every task of a dead owner claimable at once instead of after its lease runs out. */
  expireLeasesOf(owner: string): Promise<number>;
  /** Adds one model call's cost to the task's running total (one atomic update); returns the new total. */
  addCost(id: string, cost: TaskCost): Promise<TaskCost>;
  /**
   * Puts every active task that no live worker holds (its lease lapsed or was expired) back to
   * queued, lease cleared: what it is while nothing runs it. Returns each with the status it had.
   */
  requeueStranded(): Promise<{ id: string; from: TaskStatus }[]>;
}

const newId = monotonicFactory();
/** Claim attempts that may lose their candidate to a concurrent claimer before this claimer gives up for now. */
const CLAIM_ROUNDS = 5;
const TERMINAL: ReadonlySet<TaskStatus> = TERMINAL_STATUSES;

export function createTaskRepository(
  db: Kysely<Database>,
  redact: Redact,
  dialect: SqlDialect,
): TaskRepository {
  const now = () => new Date().toISOString();

  /** A page of `filter` newest first, one row more than the page to tell whether another follows. */
  const filtered = (filter: TaskFilter) => {
    let query = db
      .selectFrom('tasks')
      .orderBy('id', 'desc')
      .limit(filter.limit + 1);
    if (filter.status) query = query.where('status', '=', filter.status);
    // The normalized name alone: the (repo_normalized, id) index then serves the filter and the order.
    if (filter.repo) query = query.where('repo_normalized', '=', filter.repo);
    if (filter.risk_tier) query = query.where('risk_tier', '=', filter.risk_tier);
    if (filter.cursor) query = query.where('id', '<', filter.cursor);
    return query;
  };

  const get = async (id: string) => {
    const row = await db.selectFrom('tasks').selectAll().where('id', '=', id).executeTakeFirst();
    return row ? toTask(row) : undefined;
  };

  /**
   * One claim in one transaction. SQLite runs one writer at a time; on PostgreSQL the candidate row is
   * locked (FOR UPDATE SKIP LOCKED: concurrent claimers pass over each other's rows instead of
   * queueing on them) and the update repeats the claimability check, so a row claimed and committed
   * by another claimer since this one read it is never taken twice: 'lost', and the caller looks again.
   */
  const claimOnce = (owner: string, leaseMs: number, excludeIds: readonly string[]) =>
    db.transaction().execute(async (trx): Promise<Task | undefined | 'lost'> => {
      const nowMs = Date.now();
      // Running tasks per repo, counted once: a subquery per candidate row made each claim
      // quadratic in one repo's queue (200 ms at 1,000 queued, 1.8 s at 3,000, blocking the loop).
      const running = trx
        .selectFrom('tasks')
        .select((eb) => ['repo_normalized', eb.fn.countAll<number>().as('n')])
        .where('status', 'in', ACTIVE_STATUSES)
        .where('lease_expires_at', '>', nowMs)
        .groupBy('repo_normalized');
      let query = trx
        .selectFrom('tasks as t')
        .leftJoin(running.as('r'), 'r.repo_normalized', 't.repo_normalized')
        .select((eb) => ['t.id', eb.fn.coalesce('r.n', eb.lit(0)).as('running')])
        .where((eb) => eb('t.status', 'in', ['queued', ...ACTIVE_STATUSES]))
        // Nobody holds it: never leased, released, or its holder's lease lapsed. A queued task a
        // claimer just took (its status moves on a moment later) is held too.
        .where((eb) =>
          eb.or([
            eb('t.lease_owner', 'is', null),
            eb('t.lease_expires_at', 'is', null),
            eb('t.lease_expires_at', '<=', nowMs),
          ]),
        )
        .orderBy('running', 'asc')
        .orderBy('t.id', 'asc')
        .limit(1);
      if (excludeIds.length > 0) query = query.where('t.id', 'not in', excludeIds);
      if (dialect === 'postgres') query = query.forUpdate('t').skipLocked();
      const candidate = await query.executeTakeFirst();
      if (!candidate) return undefined;
      const claimed = await trx
        .updateTable('tasks')
        .set({
          lease_owner: owner,
          lease_expires_at: nowMs + leaseMs,
          attempt: sql<number>`attempt + 1`,
          updated_at: new Date(nowMs).toISOString(),
        })
        .where('id', '=', candidate.id)
        .where('status', 'in', ['queued', ...ACTIVE_STATUSES])
        .where((eb) =>
          eb.or([
            eb('lease_owner', 'is', null),
            eb('lease_expires_at', 'is', null),
            eb('lease_expires_at', '<=', nowMs),
          ]),
        )
        .returningAll()
        .executeTakeFirst();
      return claimed ? toTask(claimed) : 'lost';
    });

  return {
    async findRevertOf(taskId) {
      const row = await db
        .selectFrom('tasks')
        .selectAll()
        .where('reverts_task_id', '=', taskId)
        .executeTakeFirst();
      return row ? toTask(row) : undefined;
    },

    async create(input) {
      const at = now();
      const row: TasksTable = {
        id: newId().toLowerCase(),
        title: redact(input.title),
        description: redact(input.description),
        repo: input.repo,
        repo_normalized: input.repo_normalized,
        base_branch: input.base_branch,
        risk_tier: input.risk_tier,
        constraints_json: JSON.stringify(input.constraints.map(redact)),
        acceptance_json: JSON.stringify(input.acceptance.map(redact)),
        status: 'queued',
        plan_json: null,
        branch: input.branch ?? null,
        error_code: null,
        error_message: null,
        attempt: 0,
        cancel_requested: 0,
        merge_started_at: null,
        reverts_task_id: input.reverts_task_id ?? null,
        lease_owner: null,
        lease_expires_at: null,
        created_at: at,
        updated_at: at,
        started_at: null,
        finished_at: null,
        cost_input_tokens: 0,
        cost_output_tokens: 0,
        cost_cached_input_tokens: 0,
        cost_usd: 0,
        repos_json: input.repos && input.repos.length > 1 ? JSON.stringify(input.repos) : null,
      };
      const update = input.dependency_update;
      if (update === undefined) {
        await db.insertInto('tasks').values(row).execute();
      } else {
        await db.transaction().execute(async (trx) => {
          await trx.insertInto('tasks').values(row).execute();
          await trx
            .insertInto('dependency_updates')
            .values({
              task_id: row.id,
              repo_normalized: row.repo_normalized,
              base_branch: row.base_branch,
              group_key: update.group_key,
              updates_json: JSON.stringify(update.updates),
              repair: update.repair ? 1 : 0,
              created_at: at,
            })
            .execute();
        });
      }
      return toTask(row);
    },

    get,

    async list(filter) {
      return page(await filtered(filter).selectAll().execute(), filter.limit, toTask);
    },

    async listSummaries(filter) {
      return page(await filtered(filter).select(SUMMARY_COLUMNS).execute(), filter.limit, toTaskSummary);
    },

    async countAttempt(id) {
      await db
        .updateTable('tasks')
        .set({ attempt: sql<number>`attempt + 1`, updated_at: now() })
        .where('id', '=', id)
        .execute();
      return get(id);
    },
    async update(id, patch) {
      const values: Partial<TasksTable> = { updated_at: now() };
      if (patch.status !== undefined) values.status = patch.status;
      if (patch.plan !== undefined) values.plan_json = JSON.stringify(patch.plan);
      if (patch.branch !== undefined) values.branch = patch.branch;
      if (patch.error !== undefined) {
        values.error_code = patch.error?.code ?? null;
        values.error_message = patch.error ? redact(patch.error.message) : null;
      }
      if (patch.started_at !== undefined) values.started_at = patch.started_at;
      if (patch.finished_at !== undefined) values.finished_at = patch.finished_at;
      await db.updateTable('tasks').set(values).where('id', '=', id).execute();
      const task = await get(id);
      if (!task) throw new Error(`task ${id} vanished during update`);
      return task;
    },

    async claimNext({ owner, leaseMs, excludeIds }) {
      // A claim that lost its candidate to another claimer (another process on the same PostgreSQL)
      // looks again; each retry sees that claim committed, so a few always suffice.
      for (let round = 0; round < CLAIM_ROUNDS; round += 1) {
        const outcome = await claimOnce(owner, leaseMs, excludeIds);
        if (outcome !== 'lost') return outcome;
      }
      return undefined;
    },

    async renewLease(id, owner, leaseMs) {
      const result = await db
        .updateTable('tasks')
        .set({ lease_expires_at: Date.now() + leaseMs })
        .where('id', '=', id)
        .where('lease_owner', '=', owner)
        .executeTakeFirst();
      return Number(result.numUpdatedRows) > 0;
    },

    async releaseLease(id, owner) {
      await db
        .updateTable('tasks')
        .set({ lease_owner: null, lease_expires_at: null })
        .where('id', '=', id)
        .where('lease_owner', '=', owner)
        .execute();
    },

    async requestCancel(id) {
      const result = await db
        .updateTable('tasks')
        .set({ cancel_requested: 1, updated_at: now() })
        .where('id', '=', id)
        .where('merge_started_at', 'is', null)
        .executeTakeFirst();
      return Number(result.numUpdatedRows) > 0;
    },

    async beginMerge(id) {
      const at = now();
      const result = await db
        .updateTable('tasks')
        .set((eb) => ({ merge_started_at: eb.fn.coalesce('merge_started_at', eb.val(at)), updated_at: at }))
        .where('id', '=', id)
        .where('cancel_requested', '=', 0)
        .executeTakeFirst();
      return Number(result.numUpdatedRows) > 0;
    },

    async cancelIfUnclaimed(id, error) {
      const at = now();
      const result = await db
        .updateTable('tasks')
        .set({
          status: 'cancelled',
          error_code: error.code,
          error_message: redact(error.message),
          finished_at: at,
          updated_at: at,
        })
        .where('id', '=', id)
        .where('status', '=', 'queued')
        .where('lease_owner', 'is', null)
        .executeTakeFirst();
      return Number(result.numUpdatedRows) > 0;
    },

    async transition(id, from, to, error) {
      const at = now();
      const values: Partial<TasksTable> = { status: to, updated_at: at };
      if (to === 'queued') values.finished_at = null;
      else if (TERMINAL.has(to)) values.finished_at = at;
      if (error !== undefined) {
        values.error_code = error?.code ?? null;
        values.error_message = error ? redact(error.message) : null;
      }
      const result = await db
        .updateTable('tasks')
        .set(values)
        .where('id', '=', id)
        .where('status', '=', from)
        .executeTakeFirst();
      return Number(result.numUpdatedRows) > 0;
    },

    async listLeaseOwners() {
      const rows = await db
        .selectFrom('tasks')
        .select('lease_owner')
        .distinct()
        .where('lease_owner', 'is not', null)
        .execute();
      return rows.flatMap((r) => (r.lease_owner ? [r.lease_owner] : []));
    },

    async expireLeasesOf(owner) {
      const result = await db
        .updateTable('tasks')
        .set({ lease_expires_at: 0 })
        .where('lease_owner', '=', owner)
        .executeTakeFirst();
      return Number(result.numUpdatedRows);
    },

    async listUnfinishedIds() {
      const rows = await db
        .selectFrom('tasks')
        .select('id')
        .where('status', 'in', ['queued', ...ACTIVE_STATUSES])
        .execute();
      return rows.map((r) => r.id);
    },

    async requeueStranded() {
      const nowMs = Date.now();
      const rows = await db
        .selectFrom('tasks')
        .select(['id', 'status'])
        .where('status', 'in', ACTIVE_STATUSES)
        .where((eb) => eb.or([eb('lease_expires_at', 'is', null), eb('lease_expires_at', '<=', nowMs)]))
        .execute();
      const moved: { id: string; from: TaskStatus }[] = [];
      for (const row of rows) {
        // Conditional on what was read: a worker that claimed it meanwhile keeps it.
        const result = await db
          .updateTable('tasks')
          .set({ status: 'queued', lease_owner: null, lease_expires_at: null, updated_at: now() })
          .where('id', '=', row.id)
          .where('status', '=', row.status)
          .where((eb) => eb.or([eb('lease_expires_at', 'is', null), eb('lease_expires_at', '<=', nowMs)]))
          .executeTakeFirst();
        if (Number(result.numUpdatedRows) > 0) moved.push({ id: row.id, from: row.status as TaskStatus });
      }
      return moved;
    },

    async addCost(id, cost) {
      // Increments in SQL: two steps of one task (or a retried call) never lose each other's cost.
      const row = await db
        .updateTable('tasks')
        .set((eb) => ({
          cost_input_tokens: eb('cost_input_tokens', '+', cost.input_tokens),
          cost_output_tokens: eb('cost_output_tokens', '+', cost.output_tokens),
          cost_cached_input_tokens: eb('cost_cached_input_tokens', '+', cost.cached_input_tokens),
          cost_usd: eb('cost_usd', '+', cost.usd),
        }))
        .where('id', '=', id)
        .returning(['cost_input_tokens', 'cost_output_tokens', 'cost_cached_input_tokens', 'cost_usd'])
        .executeTakeFirstOrThrow();
      return {
        input_tokens: row.cost_input_tokens,
        output_tokens: row.cost_output_tokens,
        cached_input_tokens: row.cost_cached_input_tokens,
        usd: row.cost_usd,
      };
    },
  };
}

/** The rows of a page and the cursor of the next one (the last shown id), if there is one. */
function page<Row extends { id: string }, T>(
  rows: Row[],
  limit: number,
  convert: (row: Row) => T,
): { tasks: T[]; nextCursor: string | null } {
  const shown = rows.slice(0, limit);
  const nextCursor = rows.length > limit ? (shown[shown.length - 1]?.id ?? null) : null;
  return { tasks: shown.map(convert), nextCursor };
}

const SUMMARY_COLUMNS = [
  'id',
  'title',
  'repo',
  'base_branch',
  'risk_tier',
  'status',
  'branch',
  'error_code',
  'error_message',
  'created_at',
  'updated_at',
  'finished_at',
  'reverts_task_id',
] as const satisfies readonly (keyof TasksTable)[];

function toTaskSummary(row: Pick<Selectable<TasksTable>, (typeof SUMMARY_COLUMNS)[number]>): TaskSummary {
  return {
    id: row.id,
    title: row.title,
    repo: row.repo,
    base_branch: row.base_branch,
    risk_tier: row.risk_tier as RiskTier,
    status: row.status as TaskStatus,
    branch: row.branch,
    error: row.error_code ? { code: row.error_code, message: row.error_message ?? '' } : null,
    created_at: row.created_at,
    updated_at: row.updated_at,
    finished_at: row.finished_at,
    reverts_task_id: row.reverts_task_id,
  };
}

function toTask(row: Selectable<TasksTable>): Task {
  return {
    id: row.id,
    title: row.title,
    description: row.description,
    repo: row.repo,
    repo_normalized: row.repo_normalized,
    repos: row.repos_json
      ? (JSON.parse(row.repos_json) as TaskRepo[])
      : [
          {
            repo: row.repo,
            repo_normalized: row.repo_normalized,
            base_branch: row.base_branch,
            role: 'library',
          },
        ],
    base_branch: row.base_branch,
    risk_tier: row.risk_tier as RiskTier,
    constraints: JSON.parse(row.constraints_json) as string[],
    acceptance: JSON.parse(row.acceptance_json) as string[],
    status: row.status as TaskStatus,
    plan: row.plan_json ? (JSON.parse(row.plan_json) as Plan) : null,
    branch: row.branch,
    error: row.error_code ? { code: row.error_code, message: row.error_message ?? '' } : null,
    attempt: row.attempt,
    cancel_requested: row.cancel_requested === 1,
    reverts_task_id: row.reverts_task_id,
    created_at: row.created_at,
    updated_at: row.updated_at,
    started_at: row.started_at,
    finished_at: row.finished_at,
    cost: {
      input_tokens: row.cost_input_tokens,
      output_tokens: row.cost_output_tokens,
      cached_input_tokens: row.cost_cached_input_tokens,
      usd: row.cost_usd,
    },
  };
}
