import { spawn } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { dieWithParentPrefix } from '../../src/sandbox/die-with-parent.js';

const REPO_ROOT = resolve(import.meta.dirname, '../..');

/**
 * A worker's config file in `dataDir`: the API's (same engine, store and model) with that data_dir,
 * as on a machine of its own (mirrors, worktrees and caches are per worker).
 */
export function workerConfigFrom(apiConfigFile: string, dataDir: string): string {
  const text = readFileSync(apiConfigFile, 'utf8').replace(/^data_dir = ".*"$/m, `data_dir = "${dataDir}"`);
  const file = join(dataDir, 'worker.toml');
  writeFileSync(file, text);
  return file;
}

/** An `autodev worker` process (the temporal engine's activities, no API). */
export interface WorkerProcess {
  pid: number;
  /** Everything it printed (its JSON log lines) so far. */
  output(): string;
  /** SIGTERM (it drains) and wait for the exit. */
  stop(): Promise<number | null>;
  /** SIGKILL: gone at once, mid-whatever. */
  kill(): Promise<void>;
}

/**
 * Runs `autodev worker --config FILE` from source through tsx, with PATH, HOME and `env` only, and
 * waits until it polls its task queue. It dies with the test process (an orphan would keep taking
 * tasks from the queue of a later run).
 */
export async function startWorkerProcess(
  configFile: string,
  env: Record<string, string>,
): Promise<WorkerProcess> {
  const path = process.env.PATH ?? '/usr/bin:/bin';
  const [launcher = process.execPath, ...launcherArgs] = [...dieWithParentPrefix(path), process.execPath];
  const child = spawn(
    launcher,
    [
      ...launcherArgs,
      '--import',
      'tsx',
      join(REPO_ROOT, 'src/cli/main.ts'),
      'worker',
      '--config',
      configFile,
    ],
    {
      cwd: REPO_ROOT,
      env: { PATH: path, HOME: process.env.HOME ?? '/tmp', LANG: 'C.UTF-8', ...env },
      stdio: ['ignore', 'pipe', 'pipe'],
    },
  );
  let output = '';
  child.stdout?.on('data', (chunk: Buffer) => (output += chunk.toString('utf8')));
  child.stderr?.on('data', (chunk: Buffer) => (output += chunk.toString('utf8')));
  const exited = new Promise<number | null>((resolveExit) => child.once('exit', (code) => resolveExit(code)));

  await new Promise<void>((resolveReady, reject) => {
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`worker did not poll in 90 s:\n${output}`));
    }, 90_000);
    const check = () => {
      if (output.includes('temporal worker polling')) {
        clearTimeout(timer);
        resolveReady();
      }
    };
    child.stdout?.on('data', check);
    void exited.then((code) => {
      clearTimeout(timer);
      reject(new Error(`worker exited with ${String(code)} before polling:\n${output}`));
    });
  });

  return {
    pid: child.pid ?? 0,
    output: () => output,
    async stop() {
      if (child.exitCode !== null || child.signalCode !== null) return child.exitCode;
      child.kill('SIGTERM');
      return exited;
    },
    async kill() {
      if (child.exitCode !== null || child.signalCode !== null) return;
      child.kill('SIGKILL');
      await exited;
    },
  };
}
