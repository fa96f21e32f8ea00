import { z } from 'zod';
import { AutodevError } from '../errors.js';
import { detectProjects } from '../languages/index.js';
import { outputTail, projectDir } from '../languages/run.js';
import { defineTool } from './define.js';
import { selectProjects } from './project-commands.js';
import { registerTool } from './register.js';

interface SetupRun {
  root: string;
  language: string;
  command: string[];
  ok: boolean;
  exit_code: number | null;
  timed_out: boolean;
  duration_ms: number;
  /** Output tail when the install failed. */
  error?: string;
}

/**
 * Dependency installation (npm ci, cargo fetch, pip install, go mod download). The one command kind
 * that may get network, and only when `setup_network` allows it; build and test never do.
 *
 * A failed install does not end the task here: many repos test fine from source (a Python package
 * whose `pip install -e .` needs the network), and where they do not, the tests fail and their
 * output, with this step's, tells why.
 */
export const setupTool = registerTool(
  defineTool({
    name: 'setup',
    description:
      'Install the dependencies of every detected project in the sandbox (network only if setup_network).',
    inputSchema: z.object({ root: z.string().min(1).optional() }),
    async invoke(input, ctx) {
      const { config, sandbox } = ctx.services;
      const projects = selectProjects(await detectProjects(ctx.workspaceDir), input.root);
      const runs: SetupRun[] = [];
      for (const project of projects) {
        const argv = project.commands.setup;
        if (!argv || argv.length === 0) continue;
        const result = await sandbox.run({
          argv,
          cwd: projectDir(project, ctx.workspaceDir),
          workspace: ctx.workspaceDir,
          timeoutMs: config.runner_timeout_secs * 1000,
          network: config.setup_network,
          signal: ctx.signal,
          ...(ctx.homeDir ? { homeDir: ctx.homeDir } : {}),
        });
        ctx.onOutput('stdout', `$ ${argv.join(' ')}\n${outputTail(result)}\n`);
        if (result.cancelled) throw new AutodevError('TASK_CANCELLED', 'cancelled during setup');
        const ok = result.exitCode === 0 && !result.timedOut;
        const hint = config.setup_network ? '' : ' (setup_network = false: the install had no network)';
        runs.push({
          root: project.root,
          language: project.language,
          command: argv,
          ok,
          exit_code: result.exitCode,
          timed_out: result.timedOut,
          duration_ms: result.durationMs,
          ...(ok
            ? {}
            : { error: `exited ${String(result.exitCode)}${hint}: ${outputTail(result).slice(-1500)}` }),
        });
      }
      return { runs, network: config.setup_network };
    },
    summarize: (out) =>
      out.runs.length === 0
        ? 'nothing to install'
        : out.runs.map((r) => `${r.command.join(' ')} (${r.root}): ${r.ok ? 'ok' : 'failed'}`).join('; '),
  }),
);
