import type { CommandLogRepository } from './command-log-repository.js';
import type { ConversationRepository } from './conversation-repository.js';
import type { DependencyUpdateRepository } from './dependency-update-repository.js';
import type { EventRepository } from './event-repository.js';
import type { IssueRepository } from './issue-repository.js';
import type { IssueTaskRepository } from './issue-task-repository.js';
import type { SqlDialect } from './migrations/dialect.js';
import type { OverviewRepository } from './overview-repository.js';
import type { PrReviewRepository } from './pr-review-repository.js';
import type { PullRequestRepository } from './pull-request-repository.js';
import type { ReviewRoundRepository } from './review-round-repository.js';
import type { StepRepository } from './step-repository.js';
import type { TaskRepository } from './task-repository.js';

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
  /** The local forge's issues and comments. */
  issues: IssueRepository;
  /** Tasks started from forge issues, and the triggers taken. */
  issueTasks: IssueTaskRepository;
  /** Dependency update groups and the scans that found them. */
  dependencyUpdates: DependencyUpdateRepository;
  /** Aggregates across tasks for the dashboard's overview and the queue gauge. */
  overview: OverviewRepository;
  /** Which database holds it. */
  readonly kind: SqlDialect;
  /** Where it is, as it may be shown: the SQLite file's path, or the PostgreSQL URL without its password. */
  readonly location: string;
  close(): Promise<void>;
}
