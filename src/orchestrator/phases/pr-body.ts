import { z } from 'zod';
import type { Plan, Task, TaskEvent } from '../../domain/task.js';
import type { LintWarning } from '../../languages/types.js';
import { describeConstraintCheck, type ConstraintCheck } from '../../policy/constraints.js';
import type { PolicyDecision } from '../../policy/types.js';
import { acceptanceChecks } from '../../planner/plan-checks.js';
import { renderBenchTable } from '../../perf/table.js';
import type { BenchToolOutput } from '../../tools/bench.js';
import type { TestToolOutput } from '../../tools/test.js';
import { describeLint } from './lint-summary.js';
import type { StepRun } from './steps-run.js';

/**
 * Forges cap a pull request description (GitHub 65 536 characters, GitLab 1 MB, Gitea less):
 * the body is cut below the smallest with a note, so an outsized plan or list never fails the PR.
 */
export const MAX_PR_BODY_CHARS = 60_000;
/** A description or plan longer than this is cut in the body; the task itself keeps it whole. */
const MAX_SECTION_CHARS = 8_000;
const MAX_LISTED = 20;

export interface PullRequestBodyInput {
  task: Task;
  plan: Plan | null;
  /** The steps that ran and applied so far (steps-run.ts): listed instead of every step the plan could take. */
  stepsRun?: readonly StepRun[];
  decision: PolicyDecision;
  /** The tests before the change; absent on a task resumed from before it was passed. */
  baseline?: TestToolOutput;
  tests: TestToolOutput;
  lintWarnings: readonly LintWarning[];
  lintPreexisting: number;
  lintUnavailable?: readonly string[];
  /** Secrets found: always none here (a finding ends the task before delivery), shown for the reader. */
  secretsFound?: number;
  /** Dependencies the change added; absent when check_deps did not run. */
  newDependencies?: readonly string[];
  checksTouched: readonly string[];
  /** The benchmarks of base and change (bench); absent when the step did not run. */
  perf?: BenchToolOutput;
  constraints: readonly string[] | readonly ConstraintCheck[];
  usage: ModelUsage;
  /** Absolute link to the task when `[autodev] public_url` is set, else the API path. */
  taskLink: string;
  /** `Closes #12` for a task started from an issue: kept near the top, so no cut can drop it. */
  closesIssue?: string;
}

export interface ModelUsage {
  calls: number;
  inputTokens: number;
  outputTokens: number;
  /** Dollars, when the task records its cost. */
  usd?: number;
}

const modelCallData = z.looseObject({ inputTokens: z.number(), outputTokens: z.number() });
/** Tokens from the task's `model.call` events; dollars from the task's metered `cost`, once it has any. */
export function modelUsageOf(task: Task, events: readonly TaskEvent[]): ModelUsage {
  const usage: ModelUsage = { calls: 0, inputTokens: 0, outputTokens: 0 };
  for (const event of events) {
    if (event.type !== 'model.call') continue;
    const data = modelCallData.safeParse(event.data);
    if (!data.success) continue;
    usage.calls += 1;
    usage.inputTokens += data.data.inputTokens;
    usage.outputTokens += data.data.outputTokens;
  }
  const { cost } = task;
  if (cost.input_tokens + cost.output_tokens > 0) usage.usd = cost.usd;
  return usage;
}

/** The pull request's description: what was asked, the plan, the checks, the cost, and the way back. */
export function renderPullRequestBody(input: PullRequestBodyInput): string {
  const { task } = input;
  const body = [
    `**Task** [${task.id}](${input.taskLink}): ${escapeInline(task.title)} (risk: ${task.risk_tier})`,
    ...(input.closesIssue ? ['', input.closesIssue] : []),
    '',
    cut(task.description, MAX_SECTION_CHARS) || '_(no description)_',
    '',
    '## Plan',
    cut(planSection(input.plan, input.stepsRun), MAX_SECTION_CHARS),
    '',
    '## Checks',
    '| Check | Result |',
    '| --- | --- |',
    `| Tests | ${cell(testCounts(input.baseline, input.tests))} |`,
    `| Lint | ${cell(lintCell(input))} |`,
    `| Secrets | ${input.secretsFound ? `${input.secretsFound} found` : 'none found'} |`,
    `| New dependencies | ${cell(listCell(input.newDependencies))} |`,
    `| Changes to checks | ${cell(listCell(input.checksTouched))} |`,
    ...(input.perf ? [`| Performance | ${cell(perfCell(input.perf))} |`] : []),
    `| Policy | ${cell(policyCell(input.decision))} |`,
    '',
    ...policyReasons(input.decision),
    '### Tests',
    input.tests.summary,
    ...preexistingSection(input.tests),
    '',
    '### Lint',
    describeLint(input.lintWarnings, input.lintPreexisting),
    '',
    ...perfSection(input.perf),
    '## Constraints',
    list(input.constraints.map((c) => (typeof c === 'string' ? c : describeConstraintCheck(c)))),
    '',
    '## Acceptance',
    list(acceptanceChecks(task)),
    '',
    '## Model cost',
    usageLine(input.usage),
    '',
    `Opened by autodev for task [${task.id}](${input.taskLink}).`,
  ].join('\n');
  return boundBody(body, input.taskLink);
}

/**
 * The plan's summary and its steps: the ones that ran, when known, each with the plan's description
 * of it (a step the plan could take but the task did not, a lint without a linter, is not listed).
 */
function planSection(plan: Plan | null, stepsRun: readonly StepRun[] | undefined): string {
  if (!plan) return '_(no plan recorded)_';
  const described = stepsRun
    ? stepsRun.map((run) => ({ phase: run.phase, tool: run.tool, description: describeRun(plan, run) }))
    : plan.steps;
  const steps = described
    .slice(0, MAX_LISTED)
    .map((s, i) => `${i + 1}. **${s.phase}** \`${s.tool}\`: ${s.description}`);
  if (described.length > MAX_LISTED) steps.push(`- … and ${described.length - MAX_LISTED} more steps`);
  return [plan.summary, '', ...steps].join('\n');
}

/** The plan's n-th step of the run's phase and tool (the last one past it), else what the step reported. */
function describeRun(plan: Plan, run: StepRun): string {
  const matching = plan.steps.filter((s) => s.phase === run.phase && s.tool === run.tool);
  const step = matching[run.round - 1] ?? matching.at(-1);
  return step?.description ?? run.summary ?? run.tool;
}

function totals(tests: TestToolOutput): { passed: number; failed: number } {
  return tests.reports.reduce(
    (sum, r) => ({ passed: sum.passed + r.passed, failed: sum.failed + r.failed }),
    { passed: 0, failed: 0 },
  );
}

/** "1 passed, 1 failed → 2 passed, 0 failed": the change's effect in one cell. */
function testCounts(baseline: TestToolOutput | undefined, tests: TestToolOutput): string {
  const after = totals(tests);
  const now = `${after.passed} passed, ${after.failed} failed`;
  if (!baseline) return now;
  const before = totals(baseline);
  return `${before.passed} passed, ${before.failed} failed → ${now}`;
}

function lintCell(input: PullRequestBodyInput): string {
  const unavailable = input.lintUnavailable?.length
    ? `; unavailable: ${input.lintUnavailable.join(', ')}`
    : '';
  return `${input.lintWarnings.length} introduced, ${input.lintPreexisting} pre-existing${unavailable}`;
}

function listCell(items: readonly string[] | undefined): string {
  if (items === undefined) return 'not checked';
  if (items.length === 0) return 'none';
  const shown = items.slice(0, MAX_LISTED).join(', ');
  return items.length > MAX_LISTED ? `${shown} and ${items.length - MAX_LISTED} more` : shown;
}

function perfCell(perf: BenchToolOutput): string {
  if (!perf.configured) return 'no [bench] declared';
  if (perf.unavailable) return `not compared: ${perf.unavailable}`;
  const noisy = perf.comparisons.filter((c) => c.noisy).length;
  const regressed = perf.regressions.length > 0 ? `${perf.regressions.length} regressed` : 'no regression';
  return `${perf.comparisons.length} benchmark(s), ${perf.rounds} interleaved rounds: ${regressed}${noisy > 0 ? `, ${noisy} noisy` : ''}`;
}

/** The comparison table, when the repo declares benchmarks. */
function perfSection(perf: BenchToolOutput | undefined): string[] {
  if (!perf?.configured) return [];
  const lines = [
    '### Performance',
    `Base and change run alternately (${perf.rounds} rounds after a warm-up); a regression is slower beyond ${perf.max_regression_pct}% with its 95% interval above 1.`,
    '',
  ];
  if (perf.unavailable) lines.push(`Not compared: ${perf.unavailable}`);
  else lines.push(renderBenchTable(perf.comparisons));
  return [...lines, ''];
}

function policyCell(decision: PolicyDecision): string {
  if (decision.fallback) return `needs review (${decision.engine}, fallback)`;
  return decision.allow ? `allowed to merge (${decision.engine})` : `needs review (${decision.engine})`;
}

function policyReasons(decision: PolicyDecision): string[] {
  const reasons = decision.deny.map((d) => `${d.code}: ${d.message}`);
  if (decision.fallback) reasons.push(`POLICY_FALLBACK: ${decision.reason ?? 'OPA could not decide'}`);
  if (reasons.length === 0) return [];
  return ['Policy reasons:', list(reasons), ''];
}

function usageLine(usage: ModelUsage): string {
  const tokens = `${usage.calls} model call(s): ${usage.inputTokens} input + ${usage.outputTokens} output tokens`;
  return usage.usd === undefined ? tokens : `${tokens}, $${usage.usd.toFixed(4)}`;
}

/** Failures that were there before the change: shown, so a reviewer knows they are not its doing. */
function preexistingSection(tests: TestToolOutput): string[] {
  const c = tests.comparison;
  const lines: string[] = [];
  if (c?.unavailable) lines.push('', `Tests unavailable before the change: ${c.unavailable}`);
  if (c?.preexisting.length) {
    lines.push('', 'Pre-existing failures (failing before the change too):', list(c.preexisting));
  }
  return lines;
}

function list(items: readonly string[]): string {
  if (items.length === 0) return '- (none)';
  const lines = items.slice(0, MAX_LISTED).map((i) => `- ${i}`);
  if (items.length > MAX_LISTED) lines.push(`- … and ${items.length - MAX_LISTED} more`);
  return lines.join('\n');
}

/** A table cell is one line, and a `|` in it would start another column. */
function cell(text: string): string {
  return text.replace(/\r?\n/g, ' ').replace(/\|/g, '\\|');
}

function escapeInline(text: string): string {
  return text.replace(/\r?\n/g, ' ');
}

function cut(text: string, max: number): string {
  return text.length <= max ? text : `${text.slice(0, max)}\n\n… (${text.length - max} more characters)`;
}

function boundBody(body: string, taskLink: string): string {
  if (body.length <= MAX_PR_BODY_CHARS) return body;
  const note = `\n\n… (cut: the whole report is on the task, ${taskLink})`;
  return body.slice(0, MAX_PR_BODY_CHARS - note.length) + note;
}
