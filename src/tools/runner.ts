import { z } from 'zod';
import { AutodevError } from '../errors.js';
import { defineTool } from './define.js';
import { registerTool } from './register.js';

const MAX_OUTPUT_BYTES = 1024 * 1024;

/** The seed's runner: any command in the sandbox, as argv (a string runs through `sh -c`). */
export const runnerTool = registerTool(
  defineTool({
    name: 'runner',
    description:
      'Run a command in the sandbox in the workspace: argv array (or a string for sh -c); no network unless setup_network allows and network is asked.',
    inputSchema: z.object({
      command: z.union([z.string().min(1), z.array(z.string()).min(1)]),
      timeout_secs: z.number().int().positive().optional(),
      env: z.record(z.string(), z.string()).optional(),
      network: z.boolean().default(false),
    }),
    async invoke(input, ctx) {
      const { config, sandbox } = ctx.services;
      if (input.network && !config.setup_network) {
        throw new AutodevError('VALIDATION_FAILED', 'network: true needs setup_network = true in the config');
      }
      const argv = typeof input.command === 'string' ? ['sh', '-c', input.command] : input.command;
      const timeoutSecs = Math.min(
        input.timeout_secs ?? config.runner_timeout_secs,
        config.runner_timeout_secs,
      );
      const result = await sandbox.run({
        argv,
        cwd: ctx.workspaceDir,
        workspace: ctx.workspaceDir,
        timeoutMs: timeoutSecs * 1000,
        network: input.network,
        signal: ctx.signal,
        maxOutputBytes: MAX_OUTPUT_BYTES,
        ...(ctx.homeDir ? { homeDir: ctx.homeDir } : {}),
        ...(input.env ? { env: input.env } : {}),
      });
      if (result.cancelled) throw new AutodevError('TASK_CANCELLED', `cancelled: ${argv.join(' ')}`);
      ctx.onOutput('stdout', result.stdout);
      ctx.onOutput('stderr', result.stderr);
      return {
        exit_code: result.exitCode,
        stdout: result.stdout,
        stderr: result.stderr,
        truncated: result.truncated,
        timed_out: result.timedOut,
        duration_ms: result.durationMs,
      };
    },
    summarize: (out) =>
      `exit ${String(out.exit_code)}${out.timed_out ? ' (timed out)' : ''}${out.truncated ? ' (output truncated)' : ''} in ${out.duration_ms} ms`,
  }),
);
