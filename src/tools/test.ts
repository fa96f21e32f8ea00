import { z } from 'zod';
import { AutodevError } from '../errors.js';
import { runTests, type TestReport } from '../languages/index.js';
import { defineTool } from './define.js';
import { commandOptions, selectProjects } from './project-commands.js';
import { registerTool } from './register.js';
import { CONFIG_COMMIT_DESCRIPTION, detectProjectsForCheck } from './trusted-projects.js';

export interface TestToolOutput {
  ok: boolean;
  /** One line a project: "python (.): 3 passed, 1 failed". */
  summary: string;
  /** What the model needs on a repair round: failing tests, messages, output tail. Empty when ok. */
  feedback: string;
  reports: TestReport[];
}

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
    }),
    async invoke(input, ctx): Promise<TestToolOutput> {
      const detected = await detectProjectsForCheck(ctx, input.config_commit);
      const projects = selectProjects(detected, input.root).filter((p) => p.commands.test !== undefined);
      if (projects.length === 0) {
        throw new AutodevError(
          'NO_TEST_COMMAND',
          'no test command found: no Cargo.toml, package.json with a test script, Python tests or go.mod; set [commands] test in .autodev.toml',
        );
      }
      const reports: TestReport[] = [];
      for (const project of projects) {
        const report = await runTests(project, commandOptions(ctx));
        ctx.onOutput('stdout', `$ ${report.command.join(' ')}\n${report.outputTail}\n`);
        reports.push(report);
      }
      const ok = reports.every((r) => r.ok);
      return {
        ok,
        summary: reports.map(summarizeReport).join('\n'),
        feedback: ok ? '' : failureFeedback(reports),
        reports,
      };
    },
    summarize: (out) => `${out.ok ? 'passed' : 'failed'}: ${out.summary.replace(/\n/g, '; ')}`,
  }),
);

function summarizeReport(r: TestReport): string {
  const state = r.timedOut ? ', timed out' : '';
  const verdict = r.inconclusive ? ` - not a pass: ${r.inconclusive}` : '';
  return `${r.language} (${r.root}): ${r.passed} passed, ${r.failed} failed, ${r.skipped} skipped${state}${verdict}`;
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
