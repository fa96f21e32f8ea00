import type { Command } from 'commander';
import { loadConfig, readHostEnvironment } from '../config/index.js';
import { runDoctor } from '../doctor/index.js';
import { gitAuthHint } from '../forges/index.js';
import { createRedactor } from '../secrets/redact.js';
import { createGitRunner } from '../workspace/index.js';

/** One probe (model endpoint, forge remote, OPA) may take this long. */
const PROBE_TIMEOUT_MS = 5_000;

export function registerDoctorCommand(program: Command): void {
  program
    .command('doctor')
    .description(
      'Check the model key and endpoint, the forge token and repos, OPA and its policy, gitleaks and opa, and settings that do nothing; exit 1 on a failure.',
    )
    .option('-c, --config <file>', 'TOML config file (embedded defaults when absent)')
    .option('--json', 'print the report as JSON (the shape of GET /api/v1/autodev/health)')
    .action(async (options: { config?: string; json?: boolean }) => {
      const env = readHostEnvironment();
      const config = loadConfig({ file: options.config, env });
      const redact = createRedactor([
        config.secrets.llmApiKey,
        config.secrets.forgeToken,
        config.secrets.webhookSecret,
        ...config.secrets.apiTokens,
        config.secrets.storePassword,
      ]);
      const runGit = createGitRunner({ env, authHint: gitAuthHint(config) });
      const report = await runDoctor({ config, hostEnv: env, runGit, timeoutMs: PROBE_TIMEOUT_MS });
      if (options.json) console.log(redact(JSON.stringify(report, null, 2)));
      else {
        for (const check of report.checks) {
          console.log(redact(`${check.status.padEnd(4)}  ${check.name.padEnd(16)}  ${check.message}`));
        }
      }
      if (report.status === 'fail') process.exitCode = 1;
    });
}
