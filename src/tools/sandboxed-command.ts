import { AutodevError } from '../errors.js';
import type { SandboxBind } from '../sandbox/types.js';
import type { ToolContext } from './types.js';

/** What `runner` and the agent's `run` answer: the run of one command in the task's sandbox. */
export interface CommandRunOutput {
  command: string[];
  exit_code: number | null;
  stdout: string;
  stderr: string;
  truncated: boolean;
  timed_out: boolean;
  duration_ms: number;
  /** The sandbox limit the command hit (processes), when it died of one rather than of its own failure. */
  resource_limit?: string;
}

/** A string runs through `sh -c`; an array is argv. */
export function toArgv(command: string | string[]): string[] {
  return typeof command === 'string' ? ['sh', '-c', command] : command;
}

/** One command in the workspace's sandbox, its output streamed to the task's log. */
export async function runSandboxedCommand(
  ctx: ToolContext,
  run: {
    argv: string[];
    timeoutSecs: number;
    network: boolean;
    maxOutputBytes: number;
    env?: Record<string, string>;
    /** The repo's package caches a step writes into (see SandboxCommand.binds). */
    binds?: readonly SandboxBind[];
  },
): Promise<CommandRunOutput> {
  const result = await ctx.services.sandbox.run({
    argv: run.argv,
    cwd: ctx.workspaceDir,
    workspace: ctx.workspaceDir,
    timeoutMs: run.timeoutSecs * 1000,
    network: run.network,
    signal: ctx.signal,
    maxOutputBytes: run.maxOutputBytes,
    ...(ctx.homeDir ? { homeDir: ctx.homeDir } : {}),
    ...(run.env ? { env: run.env } : {}),
    ...(run.binds ? { binds: run.binds } : {}),
  });
  if (result.cancelled) throw new AutodevError('TASK_CANCELLED', `cancelled: ${run.argv.join(' ')}`);
  ctx.onOutput('stdout', result.stdout);
  ctx.onOutput('stderr', result.stderr);
  return {
    command: run.argv,
    exit_code: result.exitCode,
    stdout: result.stdout,
    stderr: result.stderr,
    truncated: result.truncated,
    timed_out: result.timedOut,
    duration_ms: result.durationMs,
    ...(result.resourceLimit === undefined ? {} : { resource_limit: result.resourceLimit }),
  };
}

/** `exit 0 (timed out) (output truncated)`: how a run ended, in one line. */
export function describeExit(out: CommandRunOutput): string {
  const limit = out.resource_limit === undefined ? '' : ` (sandbox limit: ${out.resource_limit})`;
  return `exit ${String(out.exit_code)}${out.timed_out ? ' (timed out)' : ''}${out.truncated ? ' (output truncated)' : ''}${limit}`;
}
