import { z } from 'zod';
import { defineTool } from './define.js';
import { registerTool } from './register.js';
import { describeExit, runSandboxedCommand, toArgv } from './sandboxed-command.js';

/** The model's one command: a test run's worth of time at most, and never more output than it can read. */
const MAX_TIMEOUT_SECS = 300;
const MAX_OUTPUT_BYTES = 256 * 1024;
const TAIL_CHARS = 6_000;

/**
 * One command in the sandbox for the coding model. Unlike `runner`, the input has no `network` and
 * no `env`: the model (and the repository it reads) is hostile, so the sandbox never has network here,
 * whatever it asks for. The schema is strict so `network: true` is an error the model reads, not a
 * silently ignored wish.
 */
export const agentRunTool = registerTool(
  defineTool({
    name: 'run',
    description:
      'Run one command in the sandbox in the workspace, without network: argv array (or a string for sh -c); output tails and exit code.',
    inputSchema: z
      .object({
        command: z
          .union([z.string().min(1), z.array(z.string()).min(1)])
          .describe('argv array, or a shell command string run with sh -c.'),
        timeout_secs: z
          .number()
          .int()
          .positive()
          .max(MAX_TIMEOUT_SECS)
          .optional()
          .describe(`Seconds before the command is killed; at most ${MAX_TIMEOUT_SECS}.`),
      })
      .strict(),
    async invoke(input, ctx) {
      const { config } = ctx.services;
      const timeoutSecs = Math.min(input.timeout_secs ?? MAX_TIMEOUT_SECS, config.runner_timeout_secs);
      return runSandboxedCommand(ctx, {
        argv: toArgv(input.command),
        timeoutSecs,
        network: false,
        maxOutputBytes: MAX_OUTPUT_BYTES,
      });
    },
    summarize: (out) => `${describeExit(out)} in ${out.duration_ms} ms`,
    agent: {
      name: 'run',
      toText: (out) =>
        [
          `$ ${out.command.join(' ')}`,
          describeExit(out),
          `stdout (tail):\n${out.stdout.slice(-TAIL_CHARS)}`,
          `stderr (tail):\n${out.stderr.slice(-TAIL_CHARS)}`,
        ].join('\n'),
    },
  }),
);
