import { mkdir, mkdtemp, rm } from 'node:fs/promises';
import path from 'node:path';

/**
 * The tools whose commands are the model's: its `run`, and the tests and builds it starts while it
 * edits, all inside codegen. They share the task's HOME for the whole task, rounds included.
 */
const MODEL_TOOLS: ReadonlySet<string> = new Set(['codegen']);

/**
 * Runs one attempt of a step with its HOME. Every step but the model's gets a fresh, empty one,
 * removed afterwards: setup, the baseline, the tests after the change, lint and the scans never see
 * what the model's commands left in the task's HOME (a usercustomize.py, a pytest plugin, a pip.conf, a
 * poisoned build cache), so what judges a change comes from the change or from autodev alone. /tmp is
 * a private tmpfs per sandboxed command already.
 */
export async function withStepHome<T>(
  taskHome: string,
  tool: string,
  fn: (home: string) => Promise<T>,
): Promise<T> {
  if (MODEL_TOOLS.has(tool) || taskHome === '') return fn(taskHome);
  const root = stepHomesOf(taskHome);
  await mkdir(root, { recursive: true });
  const home = await mkdtemp(path.join(root, `${tool}-`));
  try {
    return await fn(home);
  } finally {
    // Best effort: a leftover is removed with the task's other homes when it ends.
    await rm(home, { recursive: true, force: true }).catch(() => undefined);
  }
}

/** Where the fresh HOMEs of a task's steps are made: beside the task's HOME, never inside it. */
export function stepHomesOf(taskHome: string): string {
  return `${taskHome}.steps`;
}
