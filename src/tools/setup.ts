import { z } from 'zod';
import { AutodevError } from '../errors.js';
import { assertNoEscapingLinks } from '../workspace/escaping-links.js';
import { detectProjects, readAutodevToml, runSetup, type SetupReport } from '../languages/index.js';
import { defineTool } from './define.js';
import { commandOptions, selectProjects } from './project-commands.js';
import { registerTool } from './register.js';

interface SetupRun {
  root: string;
  language: string;
  /** Every command that ran (a Python setup makes a virtualenv, then installs). */
  commands: string[][];
  ok: boolean;
  exit_code: number | null;
  timed_out: boolean;
  duration_ms: number;
  /** The failed command and its output tail. */
  error?: string;
  /** What setup did besides installing: a requirement file named but absent and skipped, a manifest an install rewrote and autodev put back. */
  notes?: string[];
}

const ERROR_TAIL_CHARS = 1_500;

function failure(report: SetupReport, network: boolean): string {
  const hint = network ? '' : ' (setup_network = false: the install had no network, only the caches)';
  const state = report.timedOut ? 'timed out' : `exited ${String(report.exitCode)}`;
  return `\`${(report.failedCommand ?? []).join(' ')}\` (in ${report.root}) ${state}${hint}: ${report.outputTail.slice(-ERROR_TAIL_CHARS)}`;
}

/**
 * Dependency installation (npm ci, cargo fetch, a virtualenv and pip install, go mod download) into
 * the repo's caches in data_dir. The one command kind that may get network, and only when
 * `setup_network` allows it; build and test never do.
 *
 * A failed install ends the task with SETUP_FAILED, naming the command and its output: it is the
 * environment's fault, and showing it to the model as failing tests would have it "fix" code that is
 * fine. A repo whose tests run without the install says `[setup] tolerate_failure = true` in
 * `.autodev.toml`; the failure is then reported here and the task goes on.
 */
export const setupTool = registerTool(
  defineTool({
    name: 'setup',
    description:
      'Install the dependencies of every detected project in the sandbox (network only if setup_network).',
    inputSchema: z.object({ root: z.string().min(1).optional() }),
    async invoke(input, ctx) {
      const { config } = ctx.services;
      await assertNoEscapingLinks(ctx.workspaceDir, ctx.signal);
      const projects = selectProjects(await detectProjects(ctx.workspaceDir), input.root);
      const tolerate = (await readAutodevToml(ctx.workspaceDir))?.setupToleratesFailure ?? false;
      const runs: SetupRun[] = [];
      for (const project of projects) {
        const report = await runSetup(project, { ...commandOptions(ctx), network: config.setup_network });
        if (report.commands.length === 0 && report.notes === undefined) continue;
        ctx.onOutput('stdout', `${report.outputTail}\n`);
        const error = report.ok ? undefined : failure(report, config.setup_network);
        if (error !== undefined && !tolerate) {
          throw new AutodevError('SETUP_FAILED', `setup failed: ${error}`, {
            details: {
              root: report.root,
              language: report.language,
              command: report.failedCommand,
              exit_code: report.exitCode,
              timed_out: report.timedOut,
            },
          });
        }
        runs.push({
          root: project.root,
          language: project.language,
          commands: report.commands,
          ok: report.ok,
          exit_code: report.exitCode,
          timed_out: report.timedOut,
          duration_ms: report.durationMs,
          ...(error !== undefined ? { error } : {}),
          ...(report.notes?.length ? { notes: report.notes } : {}),
        });
      }
      return { runs, network: config.setup_network, tolerate_failure: tolerate };
    },
    summarize: (out) =>
      out.runs.length === 0
        ? 'nothing to install'
        : out.runs
            .map(
              (r) =>
                `${r.commands.map((c) => c.join(' ')).join(' && ')} (${r.root}): ${r.ok ? 'ok' : 'failed (tolerated)'}${r.notes ? ` (note: ${r.notes.join('; ')})` : ''}`,
            )
            .join('; '),
  }),
);
