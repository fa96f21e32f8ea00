import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { dieWithParentPrefix } from '../../src/sandbox/die-with-parent.js';

const REPO_ROOT = resolve(import.meta.dirname, '../..');

export interface ServerProcess {
  baseUrl: string;
  /** The config file it runs with, for a restart on the same config. */
  configFile: string;
  child: ChildProcess;
  /** Everything the server printed (its JSON log lines) so far. */
  output(): string;
  /** SIGTERM and wait for the exit. */
  stop(): Promise<number | null>;
  /** SIGKILL: the process dies at once, mid-whatever. */
  kill(): Promise<void>;
}

export interface StartServerOptions {
  /** TOML text of the config file. */
  config: string;
  env?: Record<string, string>;
  /** Reuse a config file path (for a restart). */
  configFile?: string;
  /** More `autodev serve` arguments (`--with-worker`). */
  args?: string[];
}

/**
 * Runs `autodev serve` as its own process, from source through tsx, with a config file and a
 * controlled environment, and waits until it listens. The real CLI, config loading and HTTP.
 */
export async function startServerProcess(options: StartServerOptions): Promise<ServerProcess> {
  const configFile =
    options.configFile ?? join(mkdtempSync(join(tmpdir(), 'autodev-server-')), 'config.toml');
  if (!options.configFile) writeFileSync(configFile, options.config);
  const path = process.env.PATH ?? '/usr/bin:/bin';
  // The server dies with whoever started it (a killed bench or test worker): an orphan would keep
  // leasing tasks from the same data_dir and call a model server that is gone.
  const [launcher = process.execPath, ...launcherArgs] = [...dieWithParentPrefix(path), process.execPath];
  const child = spawn(
    launcher,
    [
      ...launcherArgs,
      ...[
        '--import',
        'tsx',
        join(REPO_ROOT, 'src/cli/main.ts'),
        'serve',
        '--config',
        configFile,
        '--port',
        '0',
        ...(options.args ?? []),
      ],
    ],
    {
      cwd: REPO_ROOT,
      env: {
        PATH: path,
        HOME: process.env.HOME ?? '/tmp',
        LANG: 'C.UTF-8',
        ...options.env,
      },
      stdio: ['ignore', 'pipe', 'pipe'],
    },
  );
  let output = '';
  child.stdout?.on('data', (chunk: Buffer) => (output += chunk.toString('utf8')));
  child.stderr?.on('data', (chunk: Buffer) => (output += chunk.toString('utf8')));
  const exited = new Promise<number | null>((resolveExit) => child.once('exit', (code) => resolveExit(code)));

  const baseUrl = await new Promise<string>((resolveUrl, reject) => {
    const timer = setTimeout(() => {
      // Not left running: a server that listens late would hold the data_dir and keep a bench from exiting.
      child.kill('SIGKILL');
      reject(new Error(`server did not start in 60 s:\n${output}`));
    }, 60_000);
    const check = () => {
      const match = /"address":"(http:\/\/[^"]+)"/.exec(output);
      if (match?.[1]) {
        clearTimeout(timer);
        resolveUrl(match[1]);
      }
    };
    child.stdout?.on('data', check);
    void exited.then((code) => {
      clearTimeout(timer);
      reject(new Error(`server exited with ${String(code)} before listening:\n${output}`));
    });
  });

  return {
    baseUrl,
    child,
    configFile,
    output: () => output,
    async stop() {
      child.kill('SIGTERM');
      return exited;
    },
    async kill() {
      child.kill('SIGKILL');
      await exited;
    },
  };
}
