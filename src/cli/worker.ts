import type { Command } from 'commander';
import { loadConfig, readHostEnvironment } from '../config/index.js';
import { AutodevError } from '../errors.js';
import { createRuntime } from '../runtime/create-runtime.js';
import { startWorkerFor } from './start-worker.js';

export function registerWorkerCommand(program: Command): void {
  program
    .command('worker')
    .description(
      'Run task activities for the temporal engine (no API): add one per machine to run more tasks at once.',
    )
    .requiredOption('-c, --config <file>', 'TOML config file with [autodev.engine] kind = "temporal"')
    .action(async (options: { config: string }) => {
      const env = readHostEnvironment();
      const config = loadConfig({ file: options.config, env });
      if (config.engine.kind !== 'temporal') {
        throw new AutodevError(
          'CONFIG_INVALID',
          `[autodev.engine] kind: autodev worker needs "temporal" (got "${config.engine.kind}"; the embedded engine runs tasks inside autodev serve)`,
        );
      }
      const runtime = await createRuntime(config, { hostEnv: env });
      let worker;
      try {
        worker = await startWorkerFor(config, runtime);
      } catch (error) {
        await runtime.close(0).catch(() => undefined);
        throw error;
      }
      const running = worker;
      let stopping = false;
      const stop = (signal: string) => {
        if (stopping) return;
        stopping = true;
        runtime.log.info({ signal }, 'worker draining: no new task, running steps finish');
        void (async () => {
          await running.stop(20_000);
          await runtime.close(0);
          process.exit(0);
        })();
      };
      process.once('SIGTERM', () => stop('SIGTERM'));
      process.once('SIGINT', () => stop('SIGINT'));
      await running.done.catch(async (error: unknown) => {
        await runtime.close(0).catch(() => undefined);
        throw error;
      });
    });
}
