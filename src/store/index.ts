import { mkdirSync } from 'node:fs';
import { dirname, join } from 'node:path';
import SqliteDatabase from 'better-sqlite3';
import { Kysely, SqliteDialect } from 'kysely';
import type { Redact } from '../secrets/redact.js';
import { createCommandLogRepository, type CommandLogRepository } from './command-log-repository.js';
import { createConversationRepository, type ConversationRepository } from './conversation-repository.js';
import {
  createDependencyUpdateRepository,
  type DependencyUpdateRepository,
} from './dependency-update-repository.js';
import { createEventRepository, type EventRepository } from './event-repository.js';
import { migrateToLatest } from './migrate.js';
import { createPrReviewRepository, type PrReviewRepository } from './pr-review-repository.js';
import { createPullRequestRepository, type PullRequestRepository } from './pull-request-repository.js';
import { createReviewRoundRepository, type ReviewRoundRepository } from './review-round-repository.js';
import { createStepRepository, type StepRepository } from './step-repository.js';
import type { Database } from './tables.js';
import { createTaskRepository, type TaskRepository } from './task-repository.js';

export type { TaskFilter, TaskPatch } from './task-repository.js';

/** The only module that speaks SQL. Every write of text passes the redactor first. */
export interface Store {
  tasks: TaskRepository;
  steps: StepRepository;
  events: EventRepository;
  pullRequests: PullRequestRepository;
  prReviews: PrReviewRepository;
  reviewRounds: ReviewRoundRepository;
  logs: CommandLogRepository;
  /** The coding model's conversation per task, turn by turn. */
  conversations: ConversationRepository;
  /** Dependency update groups and the scans that found them. */
  dependencyUpdates: DependencyUpdateRepository;
  /** Path of the database file. */
  readonly location: string;
  close(): Promise<void>;
}

export function databasePath(dataDir: string): string {
  return join(dataDir, 'autodev.sqlite');
}

/** Opens (creating and migrating) the SQLite store under data_dir. */
export async function openSqliteStore(options: { dataDir: string; redact: Redact }): Promise<Store> {
  const file = databasePath(options.dataDir);
  mkdirSync(dirname(file), { recursive: true });
  const sqlite = new SqliteDatabase(file);
  // WAL keeps readers (the API) from blocking the writer (the orchestrator); busy_timeout covers
  // a second process (a worker or the CLI) holding the write lock for a moment.
  sqlite.pragma('journal_mode = WAL');
  sqlite.pragma('busy_timeout = 5000');
  sqlite.pragma('foreign_keys = ON');
  sqlite.pragma('synchronous = NORMAL');
  const db = new Kysely<Database>({ dialect: new SqliteDialect({ database: sqlite }) });
  await migrateToLatest(db);
  return {
    tasks: createTaskRepository(db, options.redact),
    steps: createStepRepository(db, options.redact),
    events: createEventRepository(db, options.redact),
    pullRequests: createPullRequestRepository(db),
    prReviews: createPrReviewRepository(db, options.redact),
    reviewRounds: createReviewRoundRepository(db, options.redact),
    logs: createCommandLogRepository(db, options.redact),
    conversations: createConversationRepository(db, options.redact),
    dependencyUpdates: createDependencyUpdateRepository(db, options.redact),
    location: file,
    close: () => db.destroy(),
  };
}
