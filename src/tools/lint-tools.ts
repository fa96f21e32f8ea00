import { z } from 'zod';
import { runLint, type LanguageId, type LintReport, type LintWarning } from '../languages/index.js';
import { compareWithBaseline } from '../languages/lint-baseline.js';
import { lintConfigChanges } from '../languages/lint-config.js';
import { LANGUAGE_IDS } from '../languages/types.js';
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
  /**
   * What the change brought: warnings anywhere that the baseline does not have, and edits to linter
   * configuration. Without a baseline, every warning in `files` (or everywhere, without `files`).
   */
  introduced: LintWarning[];
  /** Warnings the baseline already had, in `files` (everywhere without `files`). */
  preexisting: LintWarning[];
  /** Linters that ran without a baseline to compare with: all their findings in `files` count. */
  no_baseline: string[];
}

const BaselineReport = z.object({
  language: z.enum(LANGUAGE_IDS),
  root: z.string(),
  tool: z.string(),
  available: z.boolean(),
  warnings: z.array(z.object({ file: z.string(), rule: z.string(), message: z.string() })),
});

const inputSchema = z.object({
  root: z.string().min(1).optional(),
  config_commit: z.string().min(1).optional().describe(CONFIG_COMMIT_DESCRIPTION),
  files: z
    .array(z.string().min(1))
    .optional()
    .describe(
      'The files the change touched (repo-relative): pre-existing warnings are listed for these only, and with config_commit their linter configuration edits are findings.',
    ),
  baseline: z
    .array(BaselineReport)
    .optional()
    .describe(
      'The `reports` of this tool on the base commit: warnings found there too are pre-existing, matched by file, rule and message.',
    ),
});
type LintInput = z.infer<typeof inputSchema>;

async function lintProjects(ctx: ToolContext, input: LintInput, only?: LanguageId): Promise<LintToolOutput> {
  const detected = await detectProjectsForCheck(ctx, input.config_commit);
  const projects = selectProjects(detected, input.root).filter(
    (p) => only === undefined || p.language === only,
  );
  const reports: LintReport[] = [];
  for (const project of projects) reports.push(await runLint(project, commandOptions(ctx)));
  const compared = compareWithBaseline(reports, input.baseline, input.files);
  const { config_commit: base, files } = input;
  const configEdits =
    base !== undefined && files !== undefined
      ? await lintConfigChanges(files, (side, file) =>
          ctx.services.git.fileAt(ctx.workspaceDir, side === 'base' ? base : 'HEAD', file),
        )
      : [];
  return {
    warnings: reports.reduce((n, r) => n + r.warnings.length, 0),
    unavailable: reports.filter((r) => !r.available).map((r) => `${r.tool} (${r.language}, ${r.root})`),
    reports,
    introduced: [...configEdits, ...compared.introduced],
    preexisting: compared.preexisting,
    no_baseline: compared.noBaseline,
  };
}

/** The run on the untouched base has nothing to compare with: its warnings are the baseline, not "introduced". */
function isBaselineRun(out: LintToolOutput): boolean {
  const ran = out.reports.filter((r) => r.available).length;
  return ran > 0 && out.no_baseline.length === ran;
}

const summarize = (out: LintToolOutput) =>
  (isBaselineRun(out)
    ? `${out.warnings} warning(s) on the base, the baseline later runs are compared with`
    : `${out.warnings} warning(s): ${out.introduced.length} introduced, ${out.preexisting.length} pre-existing`) +
  (out.unavailable.length ? `; not available: ${out.unavailable.join(', ')}` : '');

/** Static analysis of every language: clippy, ESLint or tsc, ruff, go vet; warnings as records. */
export const lintTool = registerTool(
  defineTool({
    name: 'lint',
    description:
      'Static analysis of every detected project (clippy, ESLint/tsc, ruff, go vet) with warnings as file/line/rule records; given a baseline, split into introduced and pre-existing.',
    inputSchema,
    invoke: (input, ctx) => lintProjects(ctx, input),
    summarize,
    agent: { name: 'lint' },
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
