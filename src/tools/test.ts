import { z } from 'zod';
import { AutodevError, isAutodevError } from '../errors.js';
import { runTests, type TestReport } from '../languages/index.js';
import { compareTestRuns, describeForRepair, type TestComparison } from '../languages/test-comparison.js';
import { LANGUAGE_IDS, type DetectedProject, type RunProjectCommandOptions } from '../languages/types.js';
import { defineTool } from './define.js';
import { commandOptions, selectProjects } from './project-commands.js';
import { registerTool } from './register.js';
import type { ToolContext } from './types.js';
import { CONFIG_COMMIT_DESCRIPTION, detectProjectsForCheck } from './trusted-projects.js';

export interface TestToolOutput {
  ok: boolean;
  /** One line a project: "python (.): 3 passed, 1 failed". */
  summary: string;
  /** What the model needs on a repair round: failing tests, messages, output tail. Empty when ok. */
  feedback: string;
  reports: TestReport[];
  /**
   * With a baseline: this run against it (targets, regressions, pre-existing failures), and `feedback`
   * says which failures are the change's own.
   */
  comparison?: TestComparison;
}

/** The fields of a baseline run the comparison reads: the `reports` of this tool before the change. */
const BaselineReport = z.object({
  language: z.enum(LANGUAGE_IDS),
  root: z.string(),
  command: z.array(z.string()),
  exitCode: z.number().int().nullable(),
  passed: z.number().int().min(0),
  failed: z.number().int().min(0),
  skipped: z.number().int().min(0),
  failures: z.array(z.object({ name: z.string(), message: z.string().optional() })),
  passedTests: z.array(z.string()).optional(),
  ok: z.boolean(),
  inconclusive: z.string().optional(),
  timedOut: z.boolean(),
  truncated: z.boolean(),
  durationMs: z.number(),
  outputTail: z.string(),
});

const FEEDBACK_CHARS = 12_000;

export const testTool = registerTool(
  defineTool({
    name: 'test',
    description:
      'Run the tests of every detected project (cargo test, the package test script, pytest, go test) in the sandbox without network; structured results.',
    inputSchema: z.object({
      root: z
        .string()
        .min(1)
        .optional()
        .describe('Only the project at this folder (relative to the repo root).'),
      config_commit: z.string().min(1).optional().describe(CONFIG_COMMIT_DESCRIPTION),
      baseline: z
        .array(BaselineReport)
        .optional()
        .describe(
          'The `reports` of this tool before the change: its failures still failing are pre-existing, its passes failing now are regressions.',
        ),
      acceptance: z
        .array(z.string())
        .optional()
        .describe('Acceptance criteria: the tests they name are the ones that must pass.'),
    }),
    async invoke(input, ctx): Promise<TestToolOutput> {
      // Imported at call time: linked-test.ts imports this file's runner.
      if (ctx.linkToLibrary) return (await import('./linked-test.js')).runLinkedTests(ctx, input);
      const detected = await detectProjectsForCheck(ctx, input.config_commit);
      const projects = selectProjects(detected, input.root).filter((p) => p.commands.test !== undefined);
      if (projects.length === 0) {
        throw new AutodevError(
          'NO_TEST_COMMAND',
          'no test command found: no Cargo.toml, package.json with a test script, Python tests or go.mod; set [commands] test in .autodev.toml',
        );
      }
      return testProjects(ctx, projects, commandOptions(ctx), input);
    },
    summarize: (out) => `${out.ok ? 'passed' : 'failed'}: ${out.summary.replace(/\n/g, '; ')}`,
    // The model reads the verdict and the failing tests with their messages, not the raw reports.
    agent: {
      name: 'test',
      toText: (out) =>
        `${out.ok ? 'passed' : 'failed'}\n${out.summary}${out.feedback ? `\n\n${out.feedback}` : ''}`,
    },
  }),
);

/**
 * Runs the projects' tests with `options` (the workspace's, or a linked copy's: linked-test.ts) and
 * judges them against the baseline when one is given.
 */
export async function testProjects(
  ctx: Pick<ToolContext, 'onOutput'>,
  projects: readonly DetectedProject[],
  options: RunProjectCommandOptions,
  input: { baseline?: z.infer<typeof BaselineReport>[] | undefined; acceptance?: string[] | undefined },
): Promise<TestToolOutput> {
  const reports: TestReport[] = [];
  for (const project of projects) {
    const report = await runProjectTests(project, options);
    ctx.onOutput('stdout', `$ ${report.command.join(' ')}\n${report.outputTail}\n`);
    reports.push(report);
  }
  const ok = reports.every((r) => r.ok);
  const comparison = input.baseline
    ? compareTestRuns(input.baseline, reports, input.acceptance ?? [])
    : undefined;
  const own = comparison ? describeForRepair(comparison) : '';
  const summary = reports.map(summarizeReport).join('\n');
  return {
    ok,
    summary: comparison ? `${summary}\n${summarizeComparison(comparison)}` : summary,
    feedback: ok ? '' : [own, failureFeedback(reports)].filter((p) => p !== '').join('\n\n'),
    reports,
    ...(comparison ? { comparison } : {}),
  };
}

/** The fields of a baseline run the comparison reads (exported for linked-test.ts). */
export const BaselineReports = z.array(BaselineReport);

/**
 * A test runner that is not there is a fact about the suite, not an error of the step: the run is
 * reported as one that could not test anything (so a baseline without its runner reads as "tests
 * unavailable", see languages/test-comparison.ts), and the other projects still run.
 */
async function runProjectTests(
  project: DetectedProject,
  options: RunProjectCommandOptions,
): Promise<TestReport> {
  try {
    return await runTests(project, options);
  } catch (error) {
    if (!isAutodevError(error, 'COMMAND_NOT_FOUND')) throw error;
    const command = project.commands.test ?? [];
    return {
      language: project.language,
      root: project.root,
      command,
      exitCode: 127,
      passed: 0,
      failed: 1,
      skipped: 0,
      failures: [{ name: command.join(' '), message: error.message }],
      ok: false,
      inconclusive: error.message,
      timedOut: false,
      truncated: false,
      durationMs: 0,
      outputTail: error.message,
    };
  }
}

/** One line: the verdict against the baseline, and the failures that were there before. */
export function summarizeComparison(c: TestComparison): string {
  const verdict =
    c.verdict === 'pass'
      ? 'against the baseline: pass'
      : c.verdict === 'unavailable'
        ? `against the baseline: tests unavailable (${c.unavailable ?? ''})`
        : `against the baseline: fail (${[...c.introduced, ...c.targetsNotPassing].join(', ')})`;
  return c.preexisting.length > 0
    ? `${verdict}; pre-existing failures: ${c.preexisting.join(', ')}`
    : verdict;
}

function summarizeReport(r: TestReport): string {
  const state = r.timedOut ? ', timed out' : '';
  const verdict = r.inconclusive ? ` - not a pass: ${r.inconclusive}` : '';
  // What the run did besides testing (tests with go vet off, a manifest put back): the step
  // summary and the pull request's Tests section both carry this line.
  const notes = r.notes?.length ? ` (note: ${r.notes.join('; ')})` : '';
  return `${r.language} (${r.root}): ${r.passed} passed, ${r.failed} failed, ${r.skipped} skipped${state}${verdict}${notes}`;
}

function failureFeedback(reports: TestReport[]): string {
  const parts = reports
    .filter((r) => !r.ok)
    .map((r) => {
      const failures = r.failures.map((f) => `- ${f.name}${f.message ? `: ${f.message}` : ''}`).join('\n');
      return [
        `$ ${r.command.join(' ')} (in ${r.root}) exited ${String(r.exitCode)}`,
        ...(r.inconclusive ? [`Not a pass: ${r.inconclusive}.`] : []),
        failures,
        r.outputTail,
      ].join('\n');
    });
  const text = parts.join('\n\n');
  return text.length > FEEDBACK_CHARS ? text.slice(-FEEDBACK_CHARS) : text;
}
