import type { Command } from 'commander';
import { buildServer } from '../api/server.js';
import { loadConfig, readHostEnvironment } from '../config/index.js';
import { assertServeSafe } from '../config/serve-guard.js';
import { createRuntime } from '../runtime/create-runtime.js';
import type { TemporalWorker } from '../engine/temporal/worker.js';
import { AutodevError } from '../errors.js';
import { logHealth } from './health-log.js';
import { parsePort } from './options.js';
import { startWorkerFor } from './start-worker.js';

export function registerServeCommand(program: Command): void {
  program
    .command('serve')
    .description(
      'Run the API server and the task workers (embedded engine; SQLite under data_dir, or PostgreSQL with [autodev.store] url); with [autodev.engine] kind = "temporal", the API only.',
    )
    .option('-c, --config <file>', 'TOML config file (embedded defaults when absent)')
    .option('-p, --port <n>', 'port to listen on (overrides [autodev] port)', parsePort)
    .option('--host <host>', 'address to listen on (overrides [autodev] host)')
    .option('--with-worker', 'temporal engine: run a worker in this process too (a one-machine trial)')
    .action(async (options: { config?: string; port?: number; host?: string; withWorker?: boolean }) => {
      const env = readHostEnvironment();
      const config = loadConfig({ file: options.config, env });
      assertServeSafe(config);
      if (options.withWorker && config.engine.kind !== 'temporal') {
        throw new AutodevError(
          'CONFIG_INVALID',
          `--with-worker needs [autodev.engine] kind = "temporal" (engine is "${config.engine.kind}", which runs tasks in this process already)`,
        );
      }
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
      let worker: TemporalWorker | undefined;
      try {
        await runtime.start();
        if (options.withWorker) {
          worker = await startWorkerFor(config, runtime);
        }
      } catch (error) {
        // Temporal unreachable, say: the error names it; nothing may keep the process up after it.
        await app.close();
        await runtime.close(0).catch(() => undefined);
        throw error;
      }
      // The self-check runs beside the server (each probe bounded): start-up never waits for it.
      void runtime.health.report().then((report) => logHealth(runtime.log, report));

      let stopping = false;
      const stop = (signal: string) => {
        if (stopping) return;
        stopping = true;
        runtime.log.info({ signal }, 'shutting down: no new work, running steps finish');
        void (async () => {
          await app.close();
          await worker?.stop(20_000);
          await runtime.close(20_000);
          process.exit(0);
        })();
      };
      process.once('SIGTERM', () => stop('SIGTERM'));
      process.once('SIGINT', () => stop('SIGINT'));
    });
}
