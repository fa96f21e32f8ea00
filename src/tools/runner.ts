import { z } from 'zod';
import { AutodevError } from '../errors.js';
import { defineTool } from './define.js';
import { registerTool } from './register.js';
import { describeExit, runSandboxedCommand, toArgv } from './sandboxed-command.js';

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
      const { config } = ctx.services;
      if (input.network && !config.setup_network) {
        throw new AutodevError('VALIDATION_FAILED', 'network: true needs setup_network = true in the config');
      }
      const timeoutSecs = Math.min(
        input.timeout_secs ?? config.runner_timeout_secs,
        config.runner_timeout_secs,
      );
      return runSandboxedCommand(ctx, {
        argv: toArgv(input.command),
        timeoutSecs,
        network: input.network,
        maxOutputBytes: MAX_OUTPUT_BYTES,
        ...(input.env ? { env: input.env } : {}),
      });
    },
    summarize: (out) => `${describeExit(out)} in ${out.duration_ms} ms`,
  }),
);
