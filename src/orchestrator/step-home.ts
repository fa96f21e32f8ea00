import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
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

/**
 * A task's private HOME, `<dataDir>/homes/<taskId>` (its steps' fresh HOMEs are beside it), created on
 * first use. `homes/` holds a `{ "type": "commonjs" }` package.json: node reads a file without an
 * extension (the `node` shim nyc's spawn-wrap writes into HOME) as the nearest package.json above it
 * says, and a data_dir inside an ESM project (autodev's own checkout, `"type": "module"`) made that
 * shim an ES module that failed at once ("Illegal return statement"), so object-inspect's tests under
 * nyc were TESTS_UNAVAILABLE. bubblewrap shows no folder above HOME; the `none` sandbox shows them all.
 */
export function taskHomeDir(dataDir: string, taskId: string): string {
  const homes = path.join(dataDir, 'homes');
  const dir = path.join(homes, taskId);
  mkdirSync(dir, { recursive: true });
  const pin = path.join(homes, 'package.json');
  if (!existsSync(pin)) writeFileSync(pin, '{ "type": "commonjs" }\n');
  return dir;
}
