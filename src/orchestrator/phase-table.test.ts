import { describe, expect, it } from 'vitest';
import type { Phase } from '../domain/task.js';
import { isAutodevError } from '../errors.js';
import { defaultPlan } from '../planner/default-plan.js';
import { createPhaseCursor, PHASE_TABLE } from './phase-table.js';

/** The steps run-task runs for a task with one repair round, in order (see run-task.ts and phases/). */
const TWO_ROUNDS: [Phase, string][] = [
  ['plan', 'plan'],
  ['prepare', 'git_clone'],
  ['prepare', 'file_list'],
  ['setup', 'setup'],
  ['prepare', 'test'],
  ['prepare', 'lint'],
  ['implement', 'codegen'],
  ['implement', 'git_apply'],
  ['verify', 'test'],
  ['repair', 'codegen'],
  ['repair', 'git_apply'],
  ['repair', 'test'],
  ['repair', 'codegen'],
  ['repair', 'git_apply'],
  ['repair', 'test'],
  ['verify', 'lint'],
  ['verify', 'secrets_scan'],
  ['verify', 'check_deps'],
  ['verify', 'check_constraints'],
  ['decide', 'policy'],
  ['deliver', 'git_push'],
  ['deliver', 'git_pr'],
  ['deliver', 'pr_merge'],
];

function drift(run: () => void): string {
  try {
    run();
  } catch (error) {
    if (isAutodevError(error, 'PLAN_DRIFT')) return error.message;
    throw error;
  }
  return 'no drift';
}

describe('the phase table', () => {
  it('accepts the steps of a task with repair rounds, in order', () => {
    const cursor = createPhaseCursor();
    expect(() => TWO_ROUNDS.forEach(([phase, tool]) => cursor.advance(phase, tool))).not.toThrow();
  });

  it('accepts steps that are skipped (no repair, no merge)', () => {
    const cursor = createPhaseCursor();
    const steps = TWO_ROUNDS.filter(([phase]) => phase !== 'repair').slice(0, -1);
    expect(() => steps.forEach(([phase, tool]) => cursor.advance(phase, tool))).not.toThrow();
  });

  it('refuses a step the table does not list, naming it and the file to add it to', () => {
    const cursor = createPhaseCursor();
    cursor.advance('plan', 'plan');
    expect(drift(() => cursor.advance('prepare', 'rm_rf'))).toMatch(
      /step prepare\.rm_rf is not in the phase table after plan\.plan.*phase-table\.ts/,
    );
  });

  it('refuses a step out of order (a push before the tests)', () => {
    const cursor = createPhaseCursor();
    cursor.advance('deliver', 'git_push');
    expect(drift(() => cursor.advance('verify', 'test'))).toMatch(/verify\.test.*after deliver\.git_push/);
  });

  it('refuses going back into a phase that does not repeat', () => {
    const cursor = createPhaseCursor();
    cursor.advance('implement', 'git_apply');
    expect(drift(() => cursor.advance('implement', 'codegen'))).toMatch(/implement\.codegen/);
  });

  it("lets a multi-repo consumer's step repeat the current row, and only that row", () => {
    const cursor = createPhaseCursor();
    cursor.advance('verify', 'check_constraints');
    // A consumer's checks follow the library's: back to the row's first tool, for it only.
    expect(drift(() => cursor.advance('verify', 'lint'))).toMatch(/verify\.lint/);
    cursor.advance('verify', 'lint', true);
    cursor.advance('verify', 'secrets_scan', true);
    cursor.advance('verify', 'bench');
    expect(drift(() => cursor.advance('verify', 'lint', true))).toMatch(/verify\.lint.*after perf\.bench/);
  });

  it('gives the default plan its steps and phases, in table order', () => {
    const plan = defaultPlan({ title: 'Fix it', risk_tier: 'high' }, 2);
    expect(plan.steps.map((s) => `${s.phase}.${s.tool}`)).toEqual(
      PHASE_TABLE.flatMap((row) => row.tools.map((t) => `${row.phase}.${t.tool}`)),
    );
    expect(plan.phases?.map((p) => p.id)).toEqual(PHASE_TABLE.map((row) => row.id));
    expect(new Set(PHASE_TABLE.map((row) => row.id)).size).toBe(PHASE_TABLE.length);
  });
});
