import type { EngineKind } from '../config/engine-schema.js';

/**
 * Where and when tasks run. The orchestrator (phases, steps, tools, policy) is the same code under
 * every engine: an engine only decides which process runs a task, wakes it, cancels it and stops it.
 */
export interface Engine {
  readonly kind: EngineKind;
  /** Starts running tasks (embedded: claims from the store; temporal: ensures the server is reachable). */
  start(): Promise<void>;
  /**
   * A task became runnable: submitted, a review round or a base update requested, or its pull request
   * reviewed. Without an id: something became runnable, the engine looks for it.
   */
  poke(taskId?: string): void;
  /** Delivers a cancel to the running task; false when this engine cannot reach it from here. */
  cancel(taskId: string): boolean;
  /** Ids of the tasks this process runs now. */
  runningIds(): string[];
  /** Resolves once the task's run in this process is over; at once when it does not run here. */
  settled(taskId: string): Promise<void>;
  /** Stops taking work, lets running steps reach a checkpoint within `graceMs`. */
  stop(graceMs: number): Promise<void>;
}
