import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { FastifyInstance } from 'fastify';
import { z } from 'zod';
import { buildServer } from '../../src/api/server.js';
import { loadConfig } from '../../src/config/load.js';
import { createRuntime, type Runtime } from '../../src/runtime/create-runtime.js';
import { dataDirGoStdSeedRoot } from '../../src/languages/go/std-seed.js';
import { useTestRunGoStdSeed } from '../../src/languages/go/test-run-seed.js';

export interface TestRuntimeOptions {
  /** TOML text of a config file (the `[autodev]` section and below); data_dir is set by the helper. */
  configToml?: string;
  /** The process environment the server sees: config overrides and secrets (also its host env). */
  env?: Record<string, string>;
  /** Call `runtime.start()` (the scheduler claims tasks); off by default so queued tasks stay queued. */
  start?: boolean;
  pollMs?: number;
  /**
   * AUTODEV_ALLOWED_REPOS when neither `configToml` nor `env` sets the allowlist. The tests' repos are
   * throwaway (temp dirs, /srv/git names, github.com names that are never fetched), so `**` by
   * default; autodev itself allows none out of the box. `''` keeps that safe default.
   */
  allowlist?: string;
  /** A data_dir kept by the caller (a restart of the same server); else a fresh one, removed on close. */
  dataDir?: string;
}

export interface TestRuntime {
  runtime: Runtime;
  app: FastifyInstance;
  /** `http://127.0.0.1:<port>` of the listening server. */
  baseUrl: string;
  dataDir: string;
  /** Every log line the runtime and the server wrote so far (pino JSON lines). */
  logs(): string;
  close(): Promise<void>;
}

/**
 * A real runtime (SQLite under a temp data_dir, bubblewrap sandbox, real config loading) and its
 * server listening on a loopback port. The environment is given explicitly, never the test's own.
 */
export async function startTestRuntime(options: TestRuntimeOptions = {}): Promise<TestRuntime> {
  const root = await mkdtemp(join(tmpdir(), 'autodev-api-test-'));
  const dataDir = options.dataDir ?? join(root, 'data');
  await useTestRunGoStdSeed(dataDirGoStdSeedRoot(dataDir), process.env);
  let file: string | undefined;
  if (options.configToml !== undefined) {
    file = join(root, 'config.toml');
    await writeFile(file, options.configToml);
  }
  const hostEnv: Record<string, string> = {
    PATH: process.env.PATH ?? '/usr/local/bin:/usr/bin:/bin',
    HOME: process.env.HOME ?? '/tmp',
    LANG: 'C.UTF-8',
    ...options.env,
  };
  const allowlistSet =
    hostEnv.AUTODEV_ALLOWED_REPOS !== undefined || /^\s*allowlist_repos\s*=/m.test(options.configToml ?? '');
  const allowlistEnv = allowlistSet ? {} : { AUTODEV_ALLOWED_REPOS: options.allowlist ?? '**' };
  const config = loadConfig({
    file,
    env: { ...hostEnv, ...allowlistEnv, AUTODEV_DATA_DIR: dataDir },
    cwd: root,
  });
  let captured = '';
  const runtime = await createRuntime(config, {
    hostEnv,
    logDestination: {
      write(line: string) {
        captured += line;
      },
    },
    pollMs: options.pollMs ?? 100,
  });
  const app = await buildServer(runtime);
  const baseUrl = await app.listen({ port: 0, host: '127.0.0.1' });
  if (options.start) await runtime.start();
  return {
    runtime,
    app,
    baseUrl,
    dataDir,
    logs: () => captured,
    async close() {
      await app.close();
      await runtime.close(5_000);
      await rm(root, { recursive: true, force: true });
    },
  };
}

const errorBody = z.object({
  error: z.object({ code: z.string(), message: z.string(), details: z.unknown().optional() }),
});

export type ErrorBody = z.infer<typeof errorBody>['error'];

/** The `error` of an API error answer; throws (failing the test) when the body has another shape. */
export function parseErrorBody(text: string): ErrorBody {
  return errorBody.parse(JSON.parse(text)).error;
}

/** The `field` of each `details` entry of a VALIDATION_FAILED answer. */
export function detailFields(error: ErrorBody): string[] {
  return z
    .array(z.object({ field: z.string(), message: z.string() }))
    .parse(error.details)
    .map((d) => d.field);
}

export const TASKS = '/api/v1/autodev/tasks';

const taskBody = z.looseObject({
  id: z.string(),
  status: z.string(),
  repo: z.string(),
  risk_tier: z.string(),
  error: z.object({ code: z.string(), message: z.string() }).nullable(),
});

export type TaskBody = z.infer<typeof taskBody>;

/** A task as GET /tasks/{id} and POST /tasks answer it (the fields the tests read). */
export function parseTaskBody(text: string): TaskBody {
  return taskBody.parse(JSON.parse(text));
}

const taskList = z.object({ tasks: z.array(taskBody), next_cursor: z.string().nullable() });

export function parseTaskList(text: string): z.infer<typeof taskList> {
  return taskList.parse(JSON.parse(text));
}

/** A body POST /tasks accepts; `repo` must exist only when the scheduler runs the task. */
export function seedTask(overrides: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    title: 'Fix flaky test in vision decode path',
    description: 'Tests intermittently time out for batch decode > 32 regions.',
    repo: '/srv/git/yourrepo.git',
    base_branch: 'main',
    risk_tier: 'low',
    constraints: ['Do not modify public API signatures', 'No new external dependencies'],
    acceptance: ['tests pass', 'no policy violations'],
    ...overrides,
  };
}
