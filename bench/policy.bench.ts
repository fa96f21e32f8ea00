/**
 * What asking a real OPA server costs per merge decision (HTTP on loopback, the shipped policy),
 * p50 and p99, against the local rules deciding the same input in-process.
 */
import { createPolicyEngine } from '../src/policy/index.js';
import type { PolicyEngine, PolicyInput } from '../src/policy/types.js';
import { startOpaServer } from '../test/helpers/opa-server.js';
import type { BenchRow } from './types.js';

const RUNS = 500;
const WARMUP = 50;

/** A realistic input: a few files, a dependency change, constraints; several rules fire. */
const INPUT: PolicyInput = {
  risk_tier: 'medium',
  tests_passed: true,
  clippy_warnings: 1,
  secrets_found: false,
  lint_unavailable: [],
  files_changed: ['src/lib.rs', 'src/parse.rs', 'migrations/002_index.sql', 'Cargo.toml', 'Cargo.lock'],
  new_dependencies: ['serde'],
  dependency_changes: [
    {
      ecosystem: 'cargo',
      name: 'serde',
      change: 'added',
      to: '1.0.210',
      direct: true,
      dev: false,
      manifest: 'Cargo.toml',
    },
  ],
  tests_before: { passed: 41, failed: 1 },
  tests_after: { passed: 42, failed: 0 },
  constraints: [{ text: 'No new external dependencies', kind: 'no_new_dependencies', violated: true }],
};

function percentile(values: number[], p: number): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)] ?? 0;
}

async function timeDecisions(engine: PolicyEngine): Promise<number[]> {
  const times: number[] = [];
  for (let i = 0; i < WARMUP + RUNS; i += 1) {
    const started = performance.now();
    const decision = await engine.evaluate(INPUT);
    const elapsed = performance.now() - started;
    if (decision.fallback) throw new Error(`OPA fell back: ${decision.reason ?? ''}`);
    if (i >= WARMUP) times.push(elapsed);
  }
  return times;
}

export async function bench(): Promise<BenchRow[]> {
  const opa = await startOpaServer();
  try {
    const viaOpa = await timeDecisions(
      createPolicyEngine({ opa_url: opa.url, policy_package: 'autodev/merge', opa_timeout_ms: 5000 }),
    );
    const local = await timeDecisions(
      createPolicyEngine({ opa_url: undefined, policy_package: 'autodev/merge', opa_timeout_ms: 5000 }),
    );
    return ([50, 99] as const).map((p) => {
      const value = percentile(viaOpa, p);
      const baselineValue = percentile(local, p);
      return {
        name: `policy decision p${p}, OPA on loopback (shipped policy)`,
        baseline: `local rules p${p}`,
        value,
        baselineValue,
        unit: 'ms',
        ratio: value / baselineValue,
        runs: RUNS,
        notes: 'one POST /v1/data/autodev/merge per decision, 5 denials in the answer',
      };
    });
  } finally {
    await opa.close();
  }
}
