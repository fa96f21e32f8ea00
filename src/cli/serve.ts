import type { Command } from 'commander';
import { buildServer } from '../api/server.js';
import { loadConfig, readHostEnvironment } from '../config/index.js';
import { assertServeSafe } from '../config/serve-guard.js';
import { createRuntime } from '../runtime/create-runtime.js';
import { logHealth } from './health-log.js';
import { parsePort } from './options.js';

export function registerServeCommand(program: Command): void {
  program
    .command('serve')
    .description(
      'Run the API server and the task workers (SQLite store under data_dir, or PostgreSQL with [autodev.store] url).',
    )
    .option('-c, --config <file>', 'TOML config file (embedded defaults when absent)')
    .option('-p, --port <n>', 'port to listen on (overrides [autodev] port)', parsePort)
    .option('--host <host>', 'address to listen on (overrides [autodev] host)')
    .action(async (options: { config?: string; port?: number; host?: string }) => {
      const env = readHostEnvironment();
      const config = loadConfig({ file: options.config, env });
      assertServeSafe(config);
      const runtime = await createRuntime(config, { hostEnv: env });
      const app = await buildServer(runtime);
      const address = await app.listen({
        port: options.port ?? config.port,
        host: options.host ?? config.host,
      });
      runtime.log.info(
        {
          address,
          dataDir: config.dataDir,
          sandbox: config.sandbox,
          forge: config.provider,
          config: config.source,
        },
        'autodev listening',
      );
      await runtime.start();
      // The self-check runs beside the server (each probe bounded): start-up never waits for it.
      void runtime.health.report().then((report) => logHealth(runtime.log, report));

      let stopping = false;
      const stop = (signal: string) => {
        if (stopping) return;
        stopping = true;
        runtime.log.info({ signal }, 'shutting down: no new work, running steps finish');
        void (async () => {
          await app.close();
          await runtime.close(20_000);
          process.exit(0);
        })();
      };
      process.once('SIGTERM', () => stop('SIGTERM'));
      process.once('SIGINT', () => stop('SIGINT'));
    });
}
