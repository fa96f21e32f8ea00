import type { AutodevConfig } from '../config/schema.js';
import type { Task } from '../domain/task.js';
import type { Logger } from '../logging/logger.js';
import type { AutodevMetrics } from '../metrics/registry.js';
import type { Store } from '../store/index.js';
import type { ToolRegistry } from '../tools/registry.js';
import type { ToolServices } from '../tools/types.js';
import type { PhaseCursor } from './phase-table.js';
import type { ConsumerWorkspace, RepoTarget } from '../multirepo/task-workspaces.js';
import { repoNames } from '../multirepo/task-workspaces.js';

/** Everything a phase needs, passed as an argument: no ambient state. */
export interface TaskContext {
  task: Task;
  config: AutodevConfig;
  store: Store;
  tools: ToolRegistry;
  services: ToolServices;
  metrics: AutodevMetrics;
  log: Logger;
  /** Aborts on cancel, deadline or shutdown; its reason is the AutodevError that ends the task. */
  signal: AbortSignal;
  /** Aborts on graceful shutdown: the running step finishes, no new step starts. */
  drain: AbortSignal;
  /** Set once the workspace exists. */
  workspaceDir: string;
  /**
   * A multi-repo task's consumer repositories, each with its own worktree, once prepared (the
   * library's is `workspaceDir`). Absent for a task of one repository.
   */
  consumers?: ConsumerWorkspace[];
  /** The task's private HOME: the model's step's (codegen); every other step gets a fresh one (step-home.ts). */
  homeDir: string;
  /** Set by runTask: checks each step against the phase table (absent for steps run outside a task run). */
  phaseCursor?: PhaseCursor;
  /**
   * Runs around each step (its checkpoint reuse included): an engine that runs every step as a unit of
   * its own (the temporal engine, one activity per step) holds the step until that unit starts and
   * learns when it ended. Absent: the step runs at once.
   */
  aroundStep?: <T>(step: StepBoundary, run: () => Promise<T>) => Promise<T>;
}

/** A step as the run reaches it, before it runs (or is reused from its checkpoint). */
export interface StepBoundary {
  key: string;
  phase: string;
  tool: string;
}

/** The repositories the model's tools may name (library first), for a multi-repo task's steps. */
export function repoTargetsOf(ctx: TaskContext): RepoTarget[] {
  const library = ctx.task.repos[0];
  return [
    {
      name: repoNames(ctx.task.repos)[0] ?? 'library',
      dir: ctx.workspaceDir,
      workspaceId: ctx.task.id,
      role: library?.role ?? 'library',
    },
    ...(ctx.consumers ?? []).map((c) => ({
      name: c.name,
      dir: c.dir,
      workspaceId: c.workspaceId,
      role: c.repo.role,
    })),
  ];
}
