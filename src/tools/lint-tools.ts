import { z } from 'zod';
import { runLint, type LanguageId, type LintReport } from '../languages/index.js';
import { defineTool } from './define.js';
import { commandOptions, selectProjects } from './project-commands.js';
import { registerTool } from './register.js';
import { CONFIG_COMMIT_DESCRIPTION, detectProjectsForCheck } from './trusted-projects.js';
import type { ToolContext } from './types.js';

export interface LintToolOutput {
  /** Warnings across projects; a linter that is not installed does not count as clean. */
  warnings: number;
  unavailable: string[];
  reports: LintReport[];
}

async function lintProjects(
  ctx: ToolContext,
  input: { root?: string | undefined; config_commit?: string | undefined },
  only?: LanguageId,
): Promise<LintToolOutput> {
  const detected = await detectProjectsForCheck(ctx, input.config_commit);
  const projects = selectProjects(detected, input.root).filter(
    (p) => only === undefined || p.language === only,
  );
  const reports: LintReport[] = [];
  for (const project of projects) reports.push(await runLint(project, commandOptions(ctx)));
  return {
    warnings: reports.reduce((n, r) => n + r.warnings.length, 0),
    unavailable: reports.filter((r) => !r.available).map((r) => `${r.tool} (${r.language}, ${r.root})`),
    reports,
  };
}

const summarize = (out: LintToolOutput) =>
  `${out.warnings} warning(s)${out.unavailable.length ? `; not available: ${out.unavailable.join(', ')}` : ''}`;

const inputSchema = z.object({
  root: z.string().min(1).optional(),
  config_commit: z.string().min(1).optional().describe(CONFIG_COMMIT_DESCRIPTION),
});

/** Static analysis of every language: clippy, ESLint or tsc, ruff, go vet; warnings as records. */
export const lintTool = registerTool(
  defineTool({
    name: 'lint',
    description:
      'Static analysis of every detected project (clippy, ESLint/tsc, ruff, go vet) with warnings as file/line/rule records.',
    inputSchema,
    invoke: (input, ctx) => lintProjects(ctx, input),
    summarize,
  }),
);

/** The seed's clippy tool: the Rust projects only. */
export const clippyTool = registerTool(
  defineTool({
    name: 'clippy',
    description:
      'Run cargo clippy --message-format=json on the Rust projects; warnings as file/line/rule records.',
    inputSchema,
    invoke: (input, ctx) => lintProjects(ctx, input, 'rust'),
    summarize,
  }),
);
