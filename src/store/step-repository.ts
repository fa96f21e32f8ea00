import type { Kysely, Selectable } from 'kysely';
import type { Phase, Step, StepStatus, TaskError } from '../domain/task.js';
import { redactDeep, type Redact } from '../secrets/redact.js';
import { boundDeep, boundText } from './bounded-text.js';
import type { Database, StepsTable } from './tables.js';

export interface StartStepInput {
  task_id: string;
  key: string;
  phase: Phase;
  tool: string;
  input_summary: string;
}

export interface FinishStepInput {
  status: Exclude<StepStatus, 'running'>;
  attempts: number;
  output_summary?: string;
  output?: unknown;
  error?: TaskError;
  duration_ms: number;
}

export interface StepRepository {
  get(taskId: string, key: string): Promise<Step | undefined>;
  /** Records a step as running; a step re-run after a crash keeps its row and sequence number. */
  start(input: StartStepInput): Promise<Step>;
  setAttempts(taskId: string, key: string, attempts: number): Promise<void>;
  finish(taskId: string, key: string, result: FinishStepInput): Promise<Step>;
  list(taskId: string): Promise<Step[]>;
}

export function createStepRepository(db: Kysely<Database>, redact: Redact): StepRepository {
  const get = async (taskId: string, key: string) => {
    const row = await db
      .selectFrom('steps')
      .selectAll()
      .where('task_id', '=', taskId)
      .where('key', '=', key)
      .executeTakeFirst();
    return row ? toStep(row) : undefined;
  };

  return {
    get,

    async start(input) {
      const at = new Date().toISOString();
      await db.transaction().execute(async (trx) => {
        const existing = await trx
          .selectFrom('steps')
          .select('seq')
          .where('task_id', '=', input.task_id)
          .where('key', '=', input.key)
          .executeTakeFirst();
        if (existing) {
          await trx
            .updateTable('steps')
            .set({
              status: 'running',
              started_at: at,
              finished_at: null,
              duration_ms: null,
              error_code: null,
              error_message: null,
            })
            .where('task_id', '=', input.task_id)
            .where('key', '=', input.key)
            .execute();
          return;
        }
        const last = await trx
          .selectFrom('steps')
          .select((eb) => eb.fn.max('seq').as('seq'))
          .where('task_id', '=', input.task_id)
          .executeTakeFirst();
        await trx
          .insertInto('steps')
          .values({
            task_id: input.task_id,
            key: input.key,
            seq: (last?.seq ?? 0) + 1,
            phase: input.phase,
            tool: input.tool,
            status: 'running',
            attempts: 0,
            input_summary: redact(input.input_summary),
            output_summary: null,
            output_json: null,
            error_code: null,
            error_message: null,
            started_at: at,
            finished_at: null,
            duration_ms: null,
          })
          .execute();
      });
      const step = await get(input.task_id, input.key);
      if (!step) throw new Error(`step ${input.key} vanished`);
      return step;
    },

    async setAttempts(taskId, key, attempts) {
      await db
        .updateTable('steps')
        .set({ attempts })
        .where('task_id', '=', taskId)
        .where('key', '=', key)
        .execute();
    },

    async finish(taskId, key, result) {
      await db
        .updateTable('steps')
        .set({
          status: result.status,
          attempts: result.attempts,
          output_summary:
            result.output_summary === undefined ? null : redact(boundText(result.output_summary)),
          output_json:
            result.output === undefined ? null : JSON.stringify(redactDeep(boundDeep(result.output), redact)),
          error_code: result.error?.code ?? null,
          error_message: result.error ? redact(boundText(result.error.message)) : null,
          finished_at: new Date().toISOString(),
          duration_ms: Math.round(result.duration_ms),
        })
        .where('task_id', '=', taskId)
        .where('key', '=', key)
        .execute();
      const step = await get(taskId, key);
      if (!step) throw new Error(`step ${key} vanished`);
      return step;
    },

    async list(taskId) {
      const rows = await db
        .selectFrom('steps')
        .selectAll()
        .where('task_id', '=', taskId)
        .orderBy('seq')
        .execute();
      return rows.map(toStep);
    },
  };
}

function toStep(row: Selectable<StepsTable>): Step {
  return {
    task_id: row.task_id,
    key: row.key,
    seq: row.seq,
    phase: row.phase as Phase,
    tool: row.tool,
    status: row.status as StepStatus,
    attempts: row.attempts,
    input_summary: row.input_summary,
    output_summary: row.output_summary,
    output: row.output_json === null ? null : (JSON.parse(row.output_json) as unknown),
    error: row.error_code ? { code: row.error_code, message: row.error_message ?? '' } : null,
    started_at: row.started_at,
    finished_at: row.finished_at,
    duration_ms: row.duration_ms,
  };
}
