import { mkdtempSync } from 'node:fs';
import { rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { createFixtureRepo, type FixtureRepo } from '../fixtures/repo.js';
import { E2E_USERS, useOperatorToken } from '../helpers/api-client.js';
import { startScriptedModelServer, type ScriptedModelServer } from '../helpers/scripted-model-server.js';
import { startServerProcess, type ServerProcess } from '../helpers/server-process.js';
import { dataDirGoStdSeedRoot } from '../../src/languages/go/std-seed.js';
import { useTestRunGoStdSeed } from '../../src/languages/go/test-run-seed.js';

export const E2E_MODEL_KEY = 'sk-e2e-model-key-0123456789abcdef';

/** A scripted model, an `autodev serve` process configured for it, and the fixture repos of a suite. */
export interface E2EHarness {
  model: ScriptedModelServer;
  server: ServerProcess;
  dataDir: string;
  newRepo(files: Record<string, string | Buffer>): Promise<FixtureRepo>;
  /**
   * SIGKILL the server (or SIGTERM with `graceful`) and start it again on the same config and data;
   * `whileDown` runs in between (the world moving on while autodev is down).
   */
  restart(options?: { graceful?: boolean; whileDown?: () => Promise<void> }): Promise<number | null>;
  close(): Promise<void>;
}

/**
 * `settings` become `[autodev]` keys (TOML values written as given: strings quoted by the caller).
 * Planning is off unless asked for: the suites' scripts hold the coding model's replies only.
 */
export async function startE2E(
  settings: Record<string, string | number | boolean> = {},
  options: {
    planning?: boolean;
    /** More environment for the server (a forge token, say), beside the model's key. */
    extraEnv?: Record<string, string>;
    /** `[autodev.llm]` keys (TOML values as given), and whole TOML tables appended after it. */
    keys?: Record<string, string | number | boolean>;
    protocol?: 'openai' | 'anthropic';
    tables?: string;
    /**
     * Configure the named users of E2E_USERS (their tokens required on every request); on by
     * default with setup_network = true, which autodev refuses to serve without tokens.
     */
    auth?: boolean;
    /** `[autodev.store] url`: the PostgreSQL store (test/helpers/postgres-cluster.ts); SQLite when absent. */
    storeUrl?: string;
    /**
     * Run on the temporal engine against this dev server (test/helpers/temporal-server.ts), with the
     * worker in the server process (`serve --with-worker`) unless `apiOnly` (the tasks then wait for
     * `autodev worker` processes the test starts); the embedded engine when absent.
     */
    temporal?: { address: string; taskQueue?: string; apiOnly?: boolean };
  } = {},
): Promise<E2EHarness> {
  const auth = options.auth ?? settings.setup_network === true;
  const model = await startScriptedModelServer();
  const dataDir = mkdtempSync(join(tmpdir(), 'autodev-e2e-'));
  await useTestRunGoStdSeed(dataDirGoStdSeedRoot(dataDir), process.env);
  // autodev acts on no repository unless listed: the suites' fixture repos are throwaway temp dirs.
  const withAllowlist = { allowlist_repos: '["**"]', ...settings };
  const lines = Object.entries(withAllowlist).map(([key, value]) => `${key} = ${String(value)}`);
  const config = `
[autodev]
data_dir = "${dataDir}"
${lines.join('\n')}

[autodev.llm]
provider = "${options.protocol ?? 'openai'}"
api_url = "${options.protocol === 'anthropic' ? model.anthropicUrl : model.openaiUrl}"
api_key_env = "E2E_MODEL_KEY"
planning = ${String(options.planning ?? false)}
${Object.entries(options.keys ?? {})
  .map(([key, value]) => `${key} = ${String(value)}`)
  .join('\n')}
${options.tables ?? ''}
${auth ? usersTables() : ''}
${options.storeUrl === undefined ? '' : `[autodev.store]\nurl = "${options.storeUrl}"\nreconnect_secs = 120\n`}
${options.temporal ? engineTable(options.temporal) : ''}
`;
  const args = options.temporal && options.temporal.apiOnly !== true ? ['--with-worker'] : [];
  const env = { E2E_MODEL_KEY, ...(auth ? usersEnv() : {}), ...options.extraEnv };
  const started = async (process: ServerProcess) => {
    if (auth) useOperatorToken(process.baseUrl);
    return process;
  };
  let server = await started(await startServerProcess({ config, env, args }));
  const repos: FixtureRepo[] = [];

  return {
    model,
    get server() {
      return server;
    },
    dataDir,
    async newRepo(files) {
      const repo = await createFixtureRepo({ files });
      repos.push(repo);
      return repo;
    },
    async restart(options = {}) {
      const code = options.graceful ? await server.stop() : (await server.kill(), null);
      await options.whileDown?.();
      server = await started(await startServerProcess({ config, configFile: server.configFile, env, args }));
      return code;
    },
    async close() {
      await server.stop();
      await model.close();
      await Promise.all(repos.map((r) => r.cleanup()));
      // Each harness's data_dir holds mirrors, worktrees and caches (tens of MB): left behind, a
      // few suite runs fill the disk. AUTODEV_KEEP_TEST_DIRS=1 keeps them to look into a failure.
      if (process.env['AUTODEV_KEEP_TEST_DIRS'] !== '1') {
        await rm(dataDir, { recursive: true, force: true, maxRetries: 3 });
        await rm(dirname(server.configFile), { recursive: true, force: true });
      }
    },
  };
}

/** `[autodev.engine]` for the temporal engine; a task queue of its own keeps suites apart on one server. */
function engineTable(temporal: { address: string; taskQueue?: string }): string {
  return `[autodev.engine]\nkind = "temporal"\naddress = "${temporal.address}"\ntask_queue = "${temporal.taskQueue ?? 'autodev-e2e'}"\n`;
}

const tokenEnv = (name: string) => `E2E_TOKEN_${name.toUpperCase()}`;

/** `[[autodev.auth.users]]` for every e2e user. */
function usersTables(): string {
  return Object.entries(E2E_USERS)
    .map(
      ([name, user]) =>
        `[[autodev.auth.users]]\nname = "${name}"\ntoken_env = "${tokenEnv(name)}"\nroles = ${JSON.stringify(user.roles)}\n`,
    )
    .join('\n');
}

function usersEnv(): Record<string, string> {
  return Object.fromEntries(Object.entries(E2E_USERS).map(([name, user]) => [tokenEnv(name), user.token]));
}
