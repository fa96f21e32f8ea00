import { sql, type Kysely } from 'kysely';
import type { SqlDialect } from './migrations/dialect.js';
import type { Database } from './tables.js';

/** Figures across all tasks for the dashboard's overview, computed by the database from what is stored. */
export interface Overview {
  tasks_by_status: { status: string; count: number }[];
  /** Delivered (merged, or awaiting review with checks passed) over tasks that ended; null before any ended. */
  success_rate: number | null;
  /** Median seconds from start to end of tasks that ended; null before any ended. */
  median_duration_seconds: number | null;
  /** Model dollars and tasks per day of creation (UTC), the last `days` days. */
  cost_per_day: { day: string; usd: number; tasks: number }[];
  /** Each denial code of every policy decision stored, counted. */
  denials_by_code: { code: string; count: number }[];
  /** Finished steps by tool, the slowest on average first. */
  slowest_steps: { tool: string; count: number; avg_ms: number; max_ms: number }[];
}

export interface OverviewRepository {
  compute(options: { days: number; steps: number }): Promise<Overview>;
  /** Tasks waiting for a worker: the queue depth gauge. */
  queueDepth(): Promise<number>;
}

/** Durations are read for at most this many of the newest ended tasks: the median stays bounded in time. */
const MEDIAN_WINDOW = 10_000;

export function createOverviewRepository(db: Kysely<Database>, dialect: SqlDialect): OverviewRepository {
  // Timestamps are ISO-8601 text in both dialects; only the functions that read them differ.
  const seconds =
    dialect === 'postgres'
      ? sql<number>`extract(epoch from (finished_at::timestamptz - started_at::timestamptz))`
      : sql<number>`(julianday(finished_at) - julianday(started_at)) * 86400.0`;
  return {
    async compute({ days, steps }) {
      // Independent reads: on PostgreSQL they go out on pool connections at once rather than one
      // round trip after another; SQLite runs them one at a time on its one connection either way.
      const byStatusQuery = db
        .selectFrom('tasks')
        .select(['status', (eb) => eb.fn.countAll<number>().as('count')])
        .groupBy('status')
        .orderBy('status')
        .execute();
      const endedQuery = db
        .selectFrom('tasks')
        .select((eb) => eb.fn.countAll<number>().as('n'))
        .where('finished_at', 'is not', null)
        .executeTakeFirstOrThrow();
      const deliveredQuery = db
        .selectFrom('events')
        .select(sql<number>`count(distinct task_id)`.as('n'))
        .where('type', '=', 'task.delivered')
        .executeTakeFirstOrThrow();
      const durationsQuery = db
        .selectFrom('tasks')
        .select(seconds.as('seconds'))
        .where('finished_at', 'is not', null)
        .where('started_at', 'is not', null)
        .orderBy('id', 'desc')
        .limit(MEDIAN_WINDOW)
        .execute();
      const since = new Date(Date.now() - days * 86_400_000).toISOString().slice(0, 10);
      const costPerDayQuery = db
        .selectFrom('tasks')
        .select([
          sql<string>`substr(created_at, 1, 10)`.as('day'),
          sql<number>`sum(cost_usd)`.as('usd'),
          (eb) => eb.fn.countAll<number>().as('tasks'),
        ])
        .where(sql<string>`substr(created_at, 1, 10)`, '>=', since)
        .groupBy('day')
        .orderBy('day')
        .execute();
      // One row per denial, written with its decision (migration 014): no JSON is parsed here.
      const denialsRows = db
        .selectFrom('policy_denials')
        .select(['code', (eb) => eb.fn.countAll<number>().as('count')])
        .groupBy('code')
        .orderBy('count', 'desc')
        .orderBy('code')
        .execute();
      const slowestQuery = db
        .selectFrom('steps')
        .select([
          'tool',
          (eb) => eb.fn.countAll<number>().as('count'),
          sql<number>`avg(duration_ms)`.as('avg_ms'),
          sql<number>`max(duration_ms)`.as('max_ms'),
        ])
        .where('duration_ms', 'is not', null)
        .groupBy('tool')
        .orderBy('avg_ms', 'desc')
        .limit(steps)
        .execute();
      const [byStatus, ended, delivered, durations, costPerDay, denials, slowest] = await Promise.all([
        byStatusQuery,
        endedQuery,
        deliveredQuery,
        durationsQuery,
        costPerDayQuery,
        denialsRows,
        slowestQuery,
      ]);
      return {
        tasks_by_status: byStatus.map((r) => ({ status: r.status, count: Number(r.count) })),
        success_rate: Number(ended.n) === 0 ? null : Math.min(1, Number(delivered.n) / Number(ended.n)),
        median_duration_seconds: median(durations.map((d) => Number(d.seconds))),
        cost_per_day: costPerDay.map((r) => ({ day: r.day, usd: Number(r.usd), tasks: Number(r.tasks) })),
        denials_by_code: denials.map((r) => ({ code: String(r.code), count: Number(r.count) })),
        slowest_steps: slowest.map((r) => ({
          tool: r.tool,
          count: Number(r.count),
          avg_ms: Math.round(Number(r.avg_ms)),
          max_ms: Number(r.max_ms),
        })),
      };
    },

    async queueDepth() {
      const row = await db
        .selectFrom('tasks')
        .select((eb) => eb.fn.countAll<number>().as('n'))
        .where('status', '=', 'queued')
        .executeTakeFirstOrThrow();
      return Number(row.n);
    },
  };
}

function median(values: number[]): number | null {
  if (values.length === 0) return null;
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  const value = sorted.length % 2 ? (sorted[mid] ?? 0) : ((sorted[mid - 1] ?? 0) + (sorted[mid] ?? 0)) / 2;
  return Math.round(value * 10) / 10;
}
