import type { Kysely } from 'kysely';
import type { Redact } from '../secrets/redact.js';
import type { SkippedUpdate, UpdateCandidate } from '../updates/types.js';
import type { Database } from './tables.js';

/** The update group one task makes. */
export interface DependencyUpdateTask {
  task_id: string;
  repo_normalized: string;
  base_branch: string;
  group_key: string;
  updates: UpdateCandidate[];
  /** Whether a failing update goes to the coding model's repair rounds. */
  repair: boolean;
  created_at: string;
}

export interface DependencyUpdateScan {
  id: number;
  repo_normalized: string;
  base_branch: string;
  scanned_at: string;
  found: UpdateCandidate[];
  skipped: SkippedUpdate[];
  /** Ids of the tasks the scan created. */
  created: string[];
  error: { code: string; message: string } | null;
}

/** Rows are written with their task (TaskRepository.create, one transaction); read here. */
export interface DependencyUpdateRepository {
  byTask(taskId: string): Promise<DependencyUpdateTask | undefined>;
  /** The groups' tasks of a repository and base, newest first. */
  list(repo: string, baseBranch?: string): Promise<DependencyUpdateTask[]>;
  recordScan(scan: Omit<DependencyUpdateScan, 'id'>): Promise<void>;
  lastScan(repo: string, baseBranch?: string): Promise<DependencyUpdateScan | undefined>;
}

function parseJson<T>(text: string): T {
  return JSON.parse(text) as T;
}

export function createDependencyUpdateRepository(
  db: Kysely<Database>,
  redact: Redact,
): DependencyUpdateRepository {
  return {
    async byTask(taskId) {
      const row = await db
        .selectFrom('dependency_updates')
        .selectAll()
        .where('task_id', '=', taskId)
        .executeTakeFirst();
      return row ? toTask(row) : undefined;
    },
    async list(repo, baseBranch) {
      let query = db.selectFrom('dependency_updates').selectAll().where('repo_normalized', '=', repo);
      if (baseBranch !== undefined) query = query.where('base_branch', '=', baseBranch);
      const rows = await query.orderBy('created_at', 'desc').orderBy('task_id', 'desc').limit(500).execute();
      return rows.map(toTask);
    },
    async recordScan(scan) {
      await db
        .insertInto('dependency_update_scans')
        .values({
          repo_normalized: scan.repo_normalized,
          base_branch: scan.base_branch,
          scanned_at: scan.scanned_at,
          found_json: JSON.stringify(scan.found),
          skipped_json: JSON.stringify(scan.skipped),
          created_json: JSON.stringify(scan.created),
          error_code: scan.error?.code ?? null,
          error_message: scan.error ? redact(scan.error.message) : null,
        })
        .execute();
    },
    async lastScan(repo, baseBranch) {
      let query = db.selectFrom('dependency_update_scans').selectAll().where('repo_normalized', '=', repo);
      if (baseBranch !== undefined) query = query.where('base_branch', '=', baseBranch);
      const row = await query.orderBy('id', 'desc').limit(1).executeTakeFirst();
      if (!row) return undefined;
      return {
        id: row.id,
        repo_normalized: row.repo_normalized,
        base_branch: row.base_branch,
        scanned_at: row.scanned_at,
        found: parseJson<UpdateCandidate[]>(row.found_json),
        skipped: parseJson<SkippedUpdate[]>(row.skipped_json),
        created: parseJson<string[]>(row.created_json),
        error: row.error_code === null ? null : { code: row.error_code, message: row.error_message ?? '' },
      };
    },
  };
}

function toTask(row: {
  task_id: string;
  repo_normalized: string;
  base_branch: string;
  group_key: string;
  updates_json: string;
  repair: number;
  created_at: string;
}): DependencyUpdateTask {
  return {
    task_id: row.task_id,
    repo_normalized: row.repo_normalized,
    base_branch: row.base_branch,
    group_key: row.group_key,
    updates: parseJson<UpdateCandidate[]>(row.updates_json),
    repair: row.repair === 1,
    created_at: row.created_at,
  };
}
