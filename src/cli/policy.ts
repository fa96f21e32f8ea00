import type { Command } from 'commander';
import { readHostEnvironment } from '../config/index.js';
import { AutodevError } from '../errors.js';
import { checkPolicy, type PolicyCheckResult } from '../policy/check.js';
import type { PolicyDecision } from '../policy/types.js';

function describeDecision(decision: PolicyDecision): string {
  if (decision.fallback) return `no decision (${decision.reason ?? 'OPA could not decide'})`;
  if (decision.allow) return 'allow';
  if (decision.deny.length === 0) return 'deny (allow is false; the policy gives no reason)';
  return `deny: ${decision.deny.map((d) => `${d.code} (${d.message})`).join('; ')}`;
}

function report(result: PolicyCheckResult): string[] {
  const lines: string[] = [];
  const loads = {
    v1: 'loads as Rego v1 (OPA 1.x default)',
    v0: "loads only in OPA's v0-compatible mode: run it with `opa run --server --v0-compatible ...`",
    none: 'does not load in OPA',
  }[result.mode];
  lines.push(`${result.file}: ${loads}${result.package ? `; package ${result.package}` : ''}`);
  if (result.opaErrors) lines.push(result.opaErrors);
  for (const hint of result.hints) lines.push(`${result.file}:${hint.line}: ${hint.problem}: ${hint.fix}`);
  if (result.mode === 'none' && result.hints.length > 0) {
    lines.push(
      'with these changes it is a Rego v0 policy: run OPA with `opa run --server --v0-compatible` (docs/policy.md)',
    );
  }
  for (const d of result.decisions) {
    const added = d.final.deny.filter((f) => !d.policy.deny.some((p) => p.code === f.code));
    const floor =
      added.length > 0 ? `; autodev's tier floor adds ${added.map((a) => a.code).join(', ')}` : '';
    lines.push(`  ${d.name}: ${describeDecision(d.policy)}${floor}`);
  }
  return lines;
}

export function registerPolicyCommands(program: Command): void {
  const policy = program.command('policy').description('Work with merge policies (Rego for OPA).');
  policy
    .command('check <file>')
    .description(
      'Load a Rego policy into a real OPA (opa from .tools/bin or PATH), print its decision on sample inputs, and say what to change when it does not load.',
    )
    .option('--package <path>', "the package to ask (default: the file's package line), e.g. autodev/merge")
    .option('--json', 'print the result as JSON')
    .action(async (file: string, options: { package?: string; json?: boolean }) => {
      const result = await checkPolicy(file, {
        hostEnv: readHostEnvironment(),
        ...(options.package ? { policyPackage: options.package } : {}),
      });
      if (options.json) console.log(JSON.stringify(result, null, 2));
      else for (const line of report(result)) console.log(line);
      const undecided = result.decisions.filter((d) => d.policy.fallback);
      if (result.mode === 'none' || result.decisions.length === 0) {
        throw new AutodevError(
          'POLICY_INVALID',
          `${file} does not load in OPA: see above for what to change`,
        );
      }
      if (undecided.length > 0) {
        throw new AutodevError(
          'POLICY_INVALID',
          `${file} gives no decision autodev can use for: ${undecided.map((d) => d.name).join(', ')}`,
        );
      }
    });
}
