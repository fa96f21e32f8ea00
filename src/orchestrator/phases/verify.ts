import type { Phase } from '../../domain/task.js';
import { AutodevError } from '../../errors.js';
import type { LintWarning } from '../../languages/types.js';
import type { ConstraintCheck } from '../../policy/constraints.js';
import { classifyChanges, type SensitiveChanges } from '../../policy/sensitive-changes.js';
import type { SecretFinding } from '../../secrets/gitleaks.js';
import type { LintToolOutput } from '../../tools/lint-tools.js';
import type { TestToolOutput } from '../../tools/test.js';
import { runStep } from '../step-runner.js';
import type { TaskContext } from '../task-context.js';

/**
 * The tests of every detected project, in the sandbox without network, with the commands of the
 * base commit's `.autodev.toml`: the change's own copy never picks the command that judges it.
 */
export async function verifyRound(
  ctx: TaskContext,
  round: number,
  baseCommit: string,
): Promise<TestToolOutput> {
  const phase: Phase = round === 1 ? 'verify' : 'repair';
  return runStep<TestToolOutput>(ctx, { phase, tool: 'test', round, input: { config_commit: baseCommit } });
}

export interface ChangeChecks {
  /** Lint warnings in the files the change touched (warnings elsewhere in the repo are not its doing). */
  lintWarnings: LintWarning[];
  lintUnavailable: string[];
  secrets: SecretFinding[];
  /** What the change did to autodev's configuration and to the tests: flagged, for review. */
  sensitive: SensitiveChanges;
  /** The task's constraints, each classified and, when autodev can, checked (check_constraints). */
  constraints: ConstraintCheck[];
}

/**
 * Static analysis and the secrets scan of the tested change. A secret stops the task here: nothing
 * that carries one is ever pushed.
 */
export async function checkChange(
  ctx: TaskContext,
  baseCommit: string,
  filesChanged: string[],
): Promise<ChangeChecks> {
  const lint = await runStep<LintToolOutput>(ctx, {
    phase: 'verify',
    tool: 'lint',
    input: { config_commit: baseCommit },
  });
  const scan = await runStep<{ findings: SecretFinding[] }>(ctx, {
    phase: 'verify',
    tool: 'secrets_scan',
    input: { base_commit: baseCommit },
  });
  if (scan.findings.length > 0) {
    const where = scan.findings.map((f) => `${f.rule} in ${f.file}:${f.line}`).join(', ');
    throw new AutodevError(
      'POLICY_DENIED',
      `secrets detected in the change, so it was not pushed: ${where}`,
      {
        details: { findings: scan.findings },
      },
    );
  }
  const sensitive = await classifyChanges(filesChanged, (side, file) =>
    ctx.services.git.fileAt(ctx.workspaceDir, side === 'base' ? baseCommit : 'HEAD', file),
  );
  if (sensitive.autodevConfig.length > 0 || sensitive.tests.length > 0) {
    await ctx.store.events.append(ctx.task.id, 'change.checks_touched', {
      autodev_config: sensitive.autodevConfig,
      tests: sensitive.tests,
    });
  }
  const { constraints } = await runStep<{ constraints: ConstraintCheck[] }>(ctx, {
    phase: 'verify',
    tool: 'check_constraints',
    input: { base_commit: baseCommit, constraints: ctx.task.constraints },
  });
  const changed = new Set(filesChanged);
  return {
    lintWarnings: lint.reports.flatMap((r) => r.warnings).filter((w) => changed.has(w.file)),
    lintUnavailable: lint.unavailable,
    secrets: scan.findings,
    sensitive,
    constraints,
  };
}
